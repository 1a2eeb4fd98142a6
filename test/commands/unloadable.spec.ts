// A module that cannot be loaded, or that is no backend object, is reported once, at load, with what is wrong and
// where; its checks do not run, the other backends' do, and the run exits 1.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConformanceReport } from '../../src/report/results.js';
import { contractMismatch } from '../../src/speckit/selection.js';
import { runCli } from './run-cli.js';

/** Each fixture of test/fixtures/unloadable and the words its one report line must hold. */
const UNLOADABLE = {
  'exports-five.mjs': 'the default export of ', // ... is number 5, not a backend object
  'throws-at-import.mjs': 'libdevice.so: cannot open shared object file (at /',
  'unknown-capability.ts': '"capabilities" names unknown "smapling"',
  'training-without-object.ts': 'declares the \'training\' capability but has no "training" object',
  'missing-method.ts': 'lacks the operations qSample',
};

const out = mkdtempSync(join(tmpdir(), 'diffspec-unloadable-'));
let run: ReturnType<typeof runCli>;
let report: ConformanceReport;
let seconds: number;

beforeAll(() => {
  const modules = Object.keys(UNLOADABLE).map((f) => `test/fixtures/unloadable/${f}`);
  const started = Date.now();
  const args = ['--group', 'forward', '--filter', 'closed form q', '--out', out];
  run = runCli(['conformance', '--backend', ['cpu', ...modules].join(','), ...args]);
  seconds = (Date.now() - started) / 1000;
  report = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8'));
}, 120_000);

afterAll(() => rmSync(out, { recursive: true, force: true }));

describe('a backend module that cannot be used', () => {
  it('is reported once, at load, naming the file and what is wrong, and the run exits 1', () => {
    expect(run.status, run.stderr).toBe(1);
    for (const [file, words] of Object.entries(UNLOADABLE)) {
      const atLoad = (l: string) => l.includes(`unloadable/${file}`) && l.includes('failed to load');
      const lines = run.stdout.split('\n').filter(atLoad);
      expect(lines, `${file}\n${run.stdout}`).toHaveLength(1);
      expect(lines[0]).toContain(words);
    }
    expect(run.stdout).toContain('is number 5, not a backend object');
    expect(run.stdout).toMatch(/FAILED: 1 pass, 5 backends failed to load/);
  });

  it("runs none of its checks, and the other backends' checks as usual", () => {
    expect(report.results.map((r) => `${r.backend} ${r.status}`)).toEqual(['cpu pass']);
    const notLoaded = report.run.backends.filter((b) => b.loadFailed).map((b) => b.name);
    expect(notLoaded.sort()).toEqual(
      Object.keys(UNLOADABLE)
        .map((f) => `test/fixtures/unloadable/${f}`)
        .sort(),
    );
    const junit = readFileSync(join(out, 'junit.xml'), 'utf8');
    expect(junit.match(/<testcase name="[^"]*unloadable[^"]* loads"><error /g)).toHaveLength(5);
    expect(readFileSync(join(out, 'summary.md'), 'utf8')).toContain('not run: failed to load');
  });

  it('costs a load, not a timeout per check', () => {
    // One process start per module, in parallel, against one check on cpu: far below one check's time limit.
    expect(seconds).toBeLessThan(60);
  });
});

describe('contractMismatch', () => {
  it('names what is wrong with a value that is no backend', async () => {
    const { cpuBackend } = await import('../../backends/cpu/index.js');
    expect(contractMismatch(5)).toBe('is number 5, not a backend object');
    expect(contractMismatch(null)).toBe('is null, not a backend object');
    const memoryOnly = { ...cpuBackend, capabilities: ['schedule', 'memory'], training: undefined };
    expect(contractMismatch(memoryOnly)).toBe("declares the 'memory' capability but has no liveTensorCount()");
    const undeclared = contractMismatch({ ...cpuBackend, capabilities: ['schedule'] });
    expect(undeclared).toBe('has a "training" object but does not declare the \'training\' capability');
    const partial = contractMismatch({ ...cpuBackend, training: { predict: () => 0 } });
    expect(partial).toMatch(/^"training" lacks the methods denoiser, /);
    expect(contractMismatch(cpuBackend)).toBeUndefined();
  });
});
