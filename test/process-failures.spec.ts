// A program backend that crashes mid-run, hangs or prints garbage fails the check in progress with the reason and
// the tail of its stderr; the checks after it run on a restarted program, so the run finishes (docs/protocol.md,
// "Errors"). The program (test/fixtures/process/misbehaving.ts) answers by diffspec's reference backend and
// misbehaves on q_sample only. fast-check shrinks the failing property, so the q_sample check meets the failure a few
// times, each on a fresh program: the time limit is short to keep the hang case quick.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SPEC_GROUPS } from '../spec/groups/index.js';
import { packageRoot } from '../src/paths.js';
import type { ConformanceReport } from '../src/report/results.js';
import { runCheck } from '../src/speckit/runner.js';
import { suiteSeedFromEnv } from '../src/speckit/seed.js';
import { loadProgramBackend } from '../src/speckit/selection.js';
import { runCli } from './commands/run-cli.js';

const FIXTURE = join(packageRoot(), 'test', 'fixtures', 'process', 'misbehaving.ts');
const HANG_LIMIT_MS = 2500;

const forward = SPEC_GROUPS.find((g) => g.id === 'forward')!;
const step = forward.checks.find((c) => c.name.startsWith('one forward step'))!;
const closedForm = forward.checks.find((c) => c.name.startsWith('closed form'))!;

/** The hanging program comes from a JSON file, with a short time limit: the file form of the selector. */
function hangSelector(): string {
  const file = join(mkdtempSync(join(tmpdir(), 'diffspec-process-')), 'hang.json');
  const config = {
    command: process.execPath,
    args: ['--import', 'tsx', FIXTURE, 'hang'],
    cwd: packageRoot(),
    timeoutMs: HANG_LIMIT_MS,
  };
  writeFileSync(file, JSON.stringify(config));
  return file;
}

const CASES = [
  { mode: 'crash', message: /exited \(code 3\) during q_sample[\s\S]*fatal: simulated crash in q_sample/ },
  { mode: 'hang', message: new RegExp(`gave no answer within ${HANG_LIMIT_MS} ms .*during q_sample`) },
  {
    mode: 'garbage',
    message: /wrote stray output on stdout.*"garbage: this line is not a JSON-RPC message" during q_sample/,
  },
];

describe('a misbehaving program fails the check in progress, and the run goes on', () => {
  for (const { mode, message } of CASES) {
    it(`${mode}: "${closedForm.name}" fails with the reason; "${step.name}" passes before and after`, async () => {
      const selector = mode === 'hang' ? hangSelector() : `cmd:${process.execPath} --import tsx ${FIXTURE} ${mode}`;
      const selected = await loadProgramBackend(selector);
      if (!('backend' in selected))
        throw new Error(`the fixture did not start: ${'failed' in selected ? selected.failed : selected.skipped}`);
      try {
        const results = [];
        for (const check of [step, closedForm, step])
          results.push(await runCheck(forward, check, selected.backend, suiteSeedFromEnv()));
        expect(
          results.map((r) => r.status),
          results.map((r) => r.message).join('\n'),
        ).toEqual(['pass', 'fail', 'pass']);
        expect(results[1].message, results[1].message).toMatch(message);
      } finally {
        await selected.backend.dispose?.();
      }
    });
  }

  it('diffspec conformance reports the crash per check and finishes the run', { timeout: 300_000 }, () => {
    const out = mkdtempSync(join(tmpdir(), 'diffspec-process-report-'));
    const backend = `cmd:${process.execPath} --import tsx ${FIXTURE} crash`;
    const filter = '^forward \\S+ (one forward step|closed form)';
    const run = runCli(['conformance', '--backend', backend, '--group', 'forward', '--filter', filter, '--out', out]);
    expect(run.status, run.stdout + run.stderr).toBe(1);
    const report = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as ConformanceReport;
    const statuses = Object.fromEntries(report.results.map((r) => [r.check, r.status]));
    expect(statuses).toEqual({ [step.name]: 'pass', [closedForm.name]: 'fail' });
    expect(report.results.find((r) => r.status === 'fail')?.message).toMatch(/exited \(code 3\) during q_sample/);
    expect(report.run.backends[0]).toMatchObject({
      name: 'misbehaving-crash',
      metadata: { protocol: '1', profile: 'improved-diffusion' },
    });
  });

  it('a program that cannot start fails every check with the reason, at selection', async () => {
    const selected = await loadProgramBackend('cmd:/nonexistent/program --flag');
    expect('failed' in selected && selected.failed).toMatch(/cannot be started: spawn \/nonexistent\/program ENOENT/);
  });
});
