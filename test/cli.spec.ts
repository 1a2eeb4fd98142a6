// The case-file CLI (`diffspec eval`), run as users and other-language harnesses run it: the built binary, real files and stdin.
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { CASE_OPS } from '../src/cases/evaluate.js';

const CLI = join(import.meta.dirname, '..', 'dist', 'src', 'cli', 'main.js');
const CASES = join(import.meta.dirname, '..', 'examples', 'cases');

async function diffspec(args: string[], stdin?: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(process.execPath, [CLI, ...args], (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }));
    if (stdin !== undefined) child.stdin!.end(stdin);
  });
}

const exampleFiles = readdirSync(CASES).filter((f) => f.endsWith('.json')).sort();

describe('diffspec eval', () => {
  it('has an example case file for every operation', () => {
    expect(exampleFiles.map((f) => f.replace(/\.json$/, '')).sort()).toEqual(Object.keys(CASE_OPS).sort());
  });

  it.each(exampleFiles)('evaluates examples/cases/%s', async (file) => {
    const { code, stdout, stderr } = await diffspec(['eval', '--case', join(CASES, file)]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const { outputs } = JSON.parse(stdout);
    expect(Object.keys(outputs).length).toBeGreaterThan(0);
  });

  it('answers q_sample with sqrt(alpha-bar) x0 + sqrt(1 - alpha-bar) e from stdin', async () => {
    const c = { op: 'q_sample', schedule: { betas: [0.1, 0.2] }, inputs: { x0: { shape: [1, 1], data: [2] }, noise: { shape: [1, 1], data: [-1] }, t: [2] } };
    const { code, stdout } = await diffspec(['eval', '--case', '-'], JSON.stringify(c));
    expect(code).toBe(0);
    const ab = 0.9 * 0.8;
    expect(JSON.parse(stdout).outputs.xt.data[0]).toBeCloseTo(Math.sqrt(ab) * 2 - Math.sqrt(1 - ab), 14);
  });

  it('answers JSON Lines in order, one line per case, with errors in place', async () => {
    const lines = exampleFiles.map((f) => readFileSync(join(CASES, f), 'utf8').trim());
    lines.splice(2, 0, '{"op":"q_sample","schedule":{"betas":[0.1]},"inputs":{"x0":{"shape":[1],"data":[1]},"noise":{"shape":[1],"data":[0]},"t":[2]}}');
    const { code, stdout } = await diffspec(['eval', '--case', '-'], lines.join('\n'));
    const answers = stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(answers).toHaveLength(lines.length);
    expect(answers[2].error.field).toBe('inputs.t[0]');
    expect(answers.filter((a) => a.outputs)).toHaveLength(lines.length - 1);
    expect(code).toBe(1);
  });

  it.each([
    ['{"op":"q_sample","schedule":{"betas":[0.1]},"inputs":{"x0":{"shape":[1],"data":[1]},"noise":{"shape":[1],"data":[0]},"t":[0]}}', 'inputs.t[0]'],
    ['{"op":"q_sample","schedule":{"betas":[0.1]},"inputs":{"x0":{"shape":[1],"data":["NaN"]},"noise":{"shape":[1],"data":[0]},"t":[1]}}', 'inputs.x0.data[0]'],
    ['{"op":"q_sample","schedule":{"betas":[1.5]},"inputs":{"x0":{"shape":[1],"data":[1]},"noise":{"shape":[1],"data":[0]},"t":[1]}}', 'schedule.betas[0]'],
    ['{"op":"q_sample","schedule":{"kind":"linear","T":0,"betaStart":0.1,"betaEnd":0.2},"inputs":{}}', 'schedule.T'],
    ['{"op":"q_sample","schedule":{"betas":[0.1]},"inputs":{"x0":{"shape":[2],"data":[1,2]},"noise":{"shape":[1],"data":[0]},"t":[1]}}', 'inputs.noise.shape'],
    ['{"op":"p_mean_variance","schedule":{"betas":[0.1]},"inputs":{"xt":{"shape":[1],"data":[1]},"t":[1],"modelOutput":{"shape":[1],"data":[0]}},"options":{"prediction":"epsilon"}}', 'options.prediction'],
    ['{"op":"q_sample","schedule":{"betas":[0.1]},"inputs":{},"options":{"eta":1}}', 'options.eta'],
    ['{"op":"denoise"}', 'op'],
    ['{"op":"q_sample","extra":1}', 'extra'],
    ['{"op":"q_sample"', 'case'],
  ])('rejects %s naming %s, with exit status 1', async (text, field) => {
    const { code, stdout, stderr } = await diffspec(['eval', '--case', '-'], text);
    expect(code).toBe(1);
    expect(JSON.parse(stdout).error.field).toBe(field);
    expect(stderr).toContain(field);
  });

  it('prints usage for --help and a usage error without --case', async () => {
    expect((await diffspec(['eval', '--help'])).stdout).toContain('--case FILE');
    const missing = await diffspec(['eval']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('--case');
  });

  it('names an unknown backend', async () => {
    const { code, stderr } = await diffspec(['eval', '--backend', 'nosuch', '--case', join(CASES, exampleFiles[0])]);
    expect(code).not.toBe(0);
    expect(stderr).toContain('nosuch');
  });
});
