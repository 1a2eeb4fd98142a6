// Each backend runs in a process of its own: a check that hangs (a synchronous loop too), crashes its process,
// runs out of memory or answers the wrong type fails with the reason within its time limit, the process is started
// again for the next check, and the other backends finish. One run of `diffspec conformance` with cpu and six
// misbehaving backends (test/fixtures/misbehaving: each misbehaves in qSample only, so the checks that do not use it
// pass after the restart).
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packageRoot } from '../../src/paths.js';
import type { ConformanceReport } from '../../src/report/results.js';
import { runCli } from './run-cli.js';

const LIMIT_MS = 3000;
const HEAP_MB = 128;
/** Each misbehaving backend and the words of its failure. */
const MISBEHAVING = {
  'sync-hang': `timed out after ${LIMIT_MS} ms (its time limit): the backend's process was killed`,
  'async-hang': `timed out after ${LIMIT_MS} ms (its time limit)`,
  segfault: "crashed: the backend's process was killed by SIGSEGV",
  'out-of-memory': 'JavaScript heap out of memory',
  'wrong-type': 'x_t: expected a tensor of shape [1, 1], got "tensor"',
};
const USES_Q_SAMPLE = 'closed form q(x_t | x_0) is sqrt(alpha-bar_t) x_0 + sqrt(1 - alpha-bar_t) e';
const BEFORE = 'one forward step is sqrt(1 - beta_t) x_{t-1} + sqrt(beta_t) e';
const AFTER = 'the Markov chain run with the backend noise has the distribution q(x_t | x_0)';

const out = mkdtempSync(join(tmpdir(), 'diffspec-isolation-'));
let run: ReturnType<typeof runCli>;
let report: ConformanceReport;
const result = (backend: string, check: string) =>
  report.results.find((r) => r.backend === backend && r.check === check)!;

beforeAll(() => {
  const modules = Object.keys(MISBEHAVING).map((m) => `test/fixtures/misbehaving/${m}.ts`);
  modules.push('test/fixtures/unloadable/throws-at-import.mjs');
  const filter = '^forward \\S+ (one forward step|closed form q|the Markov chain)';
  const args = ['--group', 'forward', '--filter', filter, '--timeout', String(LIMIT_MS), '--heap', String(HEAP_MB)];
  args.push('--out', out);
  run = runCli(['conformance', '--backend', ['cpu', ...modules].join(','), ...args], {}, 300_000);
  report = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8'));
}, 300_000);

afterAll(() => rmSync(out, { recursive: true, force: true }));

describe('a backend in a process of its own', () => {
  it('fails the check it misbehaved in with the reason, within the time limit', () => {
    for (const [backend, words] of Object.entries(MISBEHAVING)) {
      const r = result(backend, USES_Q_SAMPLE);
      expect(r.status, backend).toBe('fail');
      expect(r.message, backend).toContain(words);
      expect(r.replay, backend).toContain(`test/fixtures/misbehaving/${backend}.ts`);
      // The limit counts from the start of the check's work in the backend's process; the rest is messaging.
      expect(r.timeMs, backend).toBeLessThan(LIMIT_MS + 1500);
    }
  });

  it('is started again for the next check, which passes', () => {
    for (const backend of Object.keys(MISBEHAVING)) {
      expect(result(backend, BEFORE).status, backend).toBe('pass');
      expect(result(backend, AFTER).status, backend).toBe('pass');
    }
  });

  it('lets the other backends finish, reports a throw at import once, and exits 1', () => {
    expect(run.status, run.stderr).toBe(1);
    for (const check of [BEFORE, USES_Q_SAMPLE, AFTER]) expect(result('cpu', check).status).toBe('pass');
    expect(report.run.backends.find((b) => b.loadFailed)?.unavailable).toContain('libdevice.so');
    expect(run.stdout).toContain('FAILED: 5 FAIL, 13 pass, 1 backend failed to load');
  });
});

describe('a backend that hangs in every operation', () => {
  it('costs three time limits, and its remaining checks fail as not run', async () => {
    const { isolatedBackend } = await import('../../src/isolation/isolated.js');
    const { forwardGroup } = await import('../../spec/groups/forward.js');
    const hangs = await isolatedBackend(join(packageRoot(), 'test/fixtures/misbehaving/hangs.ts'), {
      checkTimeoutMs: 500,
      loadTimeoutMs: 60_000,
    });
    if (!('runCheck' in hangs)) throw new Error(`hangs.ts did not load: ${JSON.stringify(hangs)}`);
    try {
      const messages: string[] = [];
      for (const check of forwardGroup.checks) messages.push((await hangs.runCheck(forwardGroup, check, 1)).message!);
      expect(messages.slice(0, 3).every((m) => m.startsWith('timed out after 500 ms'))).toBe(true);
      const notRun = /^not run: the backend's process was lost in 3 checks in a row, the last time: timed out/;
      expect(messages[3]).toMatch(notRun);
    } finally {
      hangs.close?.();
    }
  }, 120_000);
});

describe('a backend process', () => {
  it('imports only the group it runs: every group lives in spec/groups/<id>.ts', async () => {
    const { SPEC_GROUPS } = await import('../../spec/groups/index.js');
    for (const g of SPEC_GROUPS) expect(existsSync(join(packageRoot(), 'spec/groups', `${g.id}.ts`)), g.id).toBe(true);
  });
});
