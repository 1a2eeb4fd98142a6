// The process protocol's own pieces (docs/protocol.md): its operation list is the operation table's, tensors
// survive the wire exactly, and selectors are read as documented, with errors naming the field.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ALL_OPERATIONS } from '../src/operations/index.js';
import { packageRoot } from '../src/paths.js';
import { programBackend } from '../src/process/backend.js';
import { operationsMarkdown, PROTOCOL_OPERATIONS } from '../src/process/operations.js';
import { programCommand, splitCommandLine } from '../src/process/selector.js';
import { TRAINING_OPERATIONS, trainingOperationsMarkdown } from '../src/process/training.js';
import { decodeTensor, encodeTensor } from '../src/process/wire.js';

describe('process protocol', () => {
  it('serves every operation of the table, under its case-file name where it has one', () => {
    expect(PROTOCOL_OPERATIONS.map((p) => p.operation)).toEqual(ALL_OPERATIONS);
    for (const { operation, name } of PROTOCOL_OPERATIONS) {
      if (typeof operation.caseName === 'string') expect(name).toBe(operation.caseName);
      else expect(name).toMatch(/^[a-z]+(_[a-z0-9]+)*$/);
    }
  });

  it('docs/protocol.md lists the operations and the training operations exactly as the tables give them', () => {
    const doc = readFileSync(join(packageRoot(), 'docs', 'protocol.md'), 'utf8');
    const block = (marker: string) => {
      const start = `<!-- ${marker}:start -->\n`;
      return doc.slice(doc.indexOf(start) + start.length, doc.indexOf(`<!-- ${marker}:end -->`)).trim();
    };
    expect(block('operations')).toBe(operationsMarkdown());
    expect(block('training-operations')).toBe(trainingOperationsMarkdown());
  });

  it('names each training operation as the snake_case of its TrainingBackend method, apart from the others', () => {
    const names = TRAINING_OPERATIONS.map((o) => o.name);
    expect(names).toEqual(['predict', 'loss_and_gradients', 'adam_step', 'sample_timesteps']);
    const others = new Set(PROTOCOL_OPERATIONS.map((o) => o.name));
    expect(names.filter((n) => others.has(n))).toEqual([]);
  });

  it('refuses the training capability from a program that speaks version 1, naming the field', async () => {
    const handshake = (version: number) =>
      `{jsonrpc:"2.0",id:r.id,result:{protocolVersion:${version},name:"p",precision:"float64",capabilities:["training"]}}`;
    const program = (version: number) =>
      programCommand(
        `cmd:${process.execPath} -e 'require("readline").createInterface({input:process.stdin}).once("line",(l)=>{` +
          `const r=JSON.parse(l);console.log(JSON.stringify(${handshake(version)}))})'`,
        {},
      );
    await expect(programBackend(program(1), 'v1')).rejects.toThrow(
      /initialize answered capabilities \["training"\], not in protocol 1/,
    );
    const v2 = await programBackend(program(2), 'v2');
    try {
      expect(v2.capabilities).toEqual(['training']);
      expect(v2.metadata?.protocol).toBe('2');
      expect(typeof v2.training?.lossAndGradients).toBe('function');
    } finally {
      await v2.dispose?.();
    }
  });

  it('carries float64 and float32 tensors bit for bit, and accepts plain number arrays', () => {
    const values = [0, -0, 1 / 3, Number.MIN_VALUE, Number.MAX_VALUE, -1e-300, Math.PI];
    const f64 = { shape: [7], data: Float64Array.from(values) };
    const wire = JSON.parse(JSON.stringify(encodeTensor(f64)));
    expect(wire.dtype).toBe('float64');
    expect(Array.from(decodeTensor(wire, 'x').data)).toEqual(values);
    const f32 = { shape: [1, 7], data: Float32Array.from(values.slice(0, 4)) };
    expect(decodeTensor(encodeTensor({ shape: [4], data: f32.data }), 'x').data).toEqual(f32.data);
    expect(decodeTensor({ shape: [2, 1], data: [1, 2] }, 'x')).toEqual({
      shape: [2, 1],
      data: Float64Array.from([1, 2]),
    });
    expect(decodeTensor([1, 2, 3], 'x').shape).toEqual([3]);
    expect(() => decodeTensor({ shape: [3], dtype: 'float64', data: encodeTensor(f64).data }, 'result xt')).toThrow(
      /result xt\.data holds 56 bytes/,
    );
  });

  it('reads "cmd:" command lines with quotes, and JSON selector files with errors naming the field', () => {
    expect(splitCommandLine(`/usr/bin/python3 'my dir/backend.py' --name="a b" x`)).toEqual([
      '/usr/bin/python3',
      'my dir/backend.py',
      '--name=a b',
      'x',
    ]);
    expect(() => splitCommandLine(`python3 'unterminated`, 'cmd')).toThrow(/cmd: has an unterminated quote/);
    expect(programCommand('cmd:/usr/bin/python3 backend.py', {})).toEqual({
      command: '/usr/bin/python3',
      args: ['backend.py'],
      timeoutMs: 30000,
    });
    expect(programCommand('cmd:x', { DIFFSPEC_CHECK_TIMEOUT_MS: '10000' }).timeoutMs).toBe(5000);
    expect(
      programCommand('cmd:x', { DIFFSPEC_CHECK_TIMEOUT_MS: '10000', DIFFSPEC_PROCESS_TIMEOUT_MS: '9000' }).timeoutMs,
    ).toBe(9000);
    const dir = mkdtempSync(join(tmpdir(), 'diffspec-selector-'));
    const file = join(dir, 'backend.json');
    writeFileSync(
      file,
      JSON.stringify({
        command: '/usr/bin/python3',
        args: ['backend.py'],
        cwd: 'sub',
        env: { A: '1' },
        timeoutMs: 5000,
      }),
    );
    expect(programCommand(file, {})).toEqual({
      command: '/usr/bin/python3',
      args: ['backend.py'],
      cwd: join(dir, 'sub'),
      env: { A: '1' },
      timeoutMs: 5000,
    });
    writeFileSync(file, JSON.stringify({ command: 'x', timeout: 5 }));
    expect(() => programCommand(file, {})).toThrow(/backend\.json: timeout: is not a field/);
    writeFileSync(file, JSON.stringify({ command: 'x', env: { A: 1 } }));
    expect(() => programCommand(file, {})).toThrow(/env: must be an object of strings/);
    expect(() => programCommand('cmd:x', { DIFFSPEC_PROCESS_TIMEOUT_MS: 'soon' })).toThrow(
      /DIFFSPEC_PROCESS_TIMEOUT_MS/,
    );
  });
});
