// A run killed (SIGKILL) while it writes its report leaves the previous report intact and readable: each file is
// written to a temporary file and renamed over the old one (src/io/atomic.ts), so a reader sees the old version
// or the new one, never a mix. Each report file in turn is the one being written when the writer is killed.
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, watch, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { packageRoot } from '../../src/paths.js';
import type { CheckResultRecord, ConformanceReport } from '../../src/report/results.js';
import { REPORT_FILES, writeReport } from '../../src/report/write.js';

const dir = mkdtempSync(join(tmpdir(), 'diffspec-report-kill-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A report whose every file is large (long failure messages), so that each write takes a while to finish. */
function report(suiteSeed: number, messageChars: number): ConformanceReport {
  const message = `run ${suiteSeed} `.repeat(messageChars / 8);
  const result = (i: number): CheckResultRecord => ({
    ...{ backend: 'cpu', group: 'forward', check: `check ${i}`, kind: 'property', status: 'fail', timeMs: 1 },
    ...{ seed: i, suiteSeed, message, replay: 'replay', records: [] },
  });
  const versions = { diffspec: '0.1.0', node: 'v20', vitest: '4' };
  const startedAt = new Date(suiteSeed * 1000).toISOString();
  const run = { startedAt, durationMs: 1, suiteSeed, versions, backends: [{ name: 'cpu' }] };
  return { run, results: Array.from({ length: 200 }, (_, i) => result(i)), errors: [] };
}

const snapshot = () => Object.fromEntries(REPORT_FILES.map((f) => [f, readFileSync(join(dir, f), 'utf8')]));
const temporaries = () => readdirSync(dir).filter((f) => f.endsWith('.tmp'));

/** Starts a writer of `next` and kills it (SIGKILL) as soon as the temporary file of `file` appears. */
function killWhileWriting(file: string, next: ConformanceReport): Promise<void> {
  const nextFile = join(dir, '..', `${dir.split('/').pop()}-next.json`);
  writeFileSync(nextFile, JSON.stringify(next));
  return new Promise((resolve, reject) => {
    const watcher = watch(dir, (_, name) => {
      if (name?.startsWith(`.${file}.`) && name.endsWith('.tmp')) writer.kill('SIGKILL');
    });
    const args = ['--import', 'tsx', 'test/fixtures/write-report.ts', dir, nextFile];
    const writer = spawn(process.execPath, args, { cwd: packageRoot(), stdio: 'ignore' });
    writer.on('exit', (code, signal) => {
      watcher.close();
      rmSync(nextFile, { force: true });
      if (signal === 'SIGKILL') resolve();
      else reject(new Error(`the writer was not killed while writing ${file}: it exited with ${code}`));
    });
  });
}

describe('a run killed while it writes its report', () => {
  const cases = REPORT_FILES.map((f, i) => [f, i] as const);
  it.each(cases)(
    'leaves %s and the rest of the previous report intact and readable',
    async (file, i) => {
      for (const tmp of temporaries()) rmSync(join(dir, tmp));
      const previous = report(1000 + i, 50_000);
      await writeReport(dir, previous, []);
      const before = snapshot();
      await killWhileWriting(file, report(2000 + i, 50_000));
      expect(
        temporaries().some((t) => t.startsWith(`.${file}.`)),
        'killed before the rename',
      ).toBe(true);
      const after = snapshot();
      // The file being written is the previous one, whole; the files before it may be the new ones, whole.
      expect(after[file]).toBe(before[file]);
      for (const f of REPORT_FILES) {
        if (f.endsWith('.json')) expect(() => JSON.parse(after[f]), f).not.toThrow();
        const whole = after[f] === before[f] || !after[f].includes(`run ${1000 + i} `);
        expect(whole, `${f} is one version, not a mix`).toBe(true);
      }
      const resultsWritten = REPORT_FILES.indexOf('results.json') < i;
      expect(JSON.parse(after['results.json']).run.suiteSeed).toBe(resultsWritten ? 2000 + i : 1000 + i);
    },
    120_000,
  );
});
