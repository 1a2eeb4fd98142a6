// Sharded runs: `diffspec conformance --shard i/n` runs a deterministic part of the spec files, and
// `diffspec report --merge` combines the parts into one report whose counts equal the unsharded run's.
// Three groups on the reference backend, two shards run as two processes, then merged.
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ConformanceReport } from '../../src/report/results.js';
import { summaryTable } from '../../src/report/summary.js';
import { runCli } from './run-cli.js';

const dir = mkdtempSync(join(tmpdir(), 'diffspec-shard-'));
const COMMON = ['conformance', '--backend', 'cpu', '--group', 'forward,loss,embedding'];
const read = (folder: string): ConformanceReport => JSON.parse(readFileSync(join(dir, folder, 'results.json'), 'utf8'));
const ids = (r: ConformanceReport) => r.results.map((x) => `${x.backend} ${x.group} > ${x.check}: ${x.status}`).sort();

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('sharded conformance runs', () => {
  it('two shards merged give the counts and checks of the unsharded run', { timeout: 600_000 }, () => {
    const whole = runCli([...COMMON, '--out', join(dir, 'whole')]);
    expect(whole.status, whole.stdout + whole.stderr).toBe(0);
    for (const i of [1, 2]) {
      const part = runCli([...COMMON, '--shard', `${i}/2`, '--out', join(dir, `shard-${i}`)]);
      expect(part.status, part.stdout + part.stderr).toBe(0);
      expect(read(`shard-${i}`).run.shard).toBe(`${i}/2`);
      expect(read(`shard-${i}`).results.length).toBeGreaterThan(0);
      expect(existsSync(join(dir, `shard-${i}`, 'blob', `blob-${i}-2.json`)), "vitest's blob report").toBe(true);
    }
    const merged = runCli([
      'report',
      '--merge',
      join(dir, 'shard-1'),
      '--merge',
      join(dir, 'shard-2'),
      '--out',
      join(dir, 'merged'),
    ]);
    expect(merged.status, merged.stdout + merged.stderr).toBe(0);
    expect(merged.stdout).toMatch(/merged from 2 report folders \(1\/2, 2\/2\)/);
    expect(ids(read('merged'))).toEqual(ids(read('whole')));
    expect(summaryTable(read('merged'))).toEqual(summaryTable(read('whole')));
    expect(readFileSync(join(dir, 'merged', 'summary.md'), 'utf8')).toContain('| forward |');
  });

  it("merges the checks vitest's blob reports replay, refusing a results.json that disagrees with them", () => {
    cpSync(join(dir, 'shard-2'), join(dir, 'tampered'), { recursive: true });
    const report = read('tampered');
    writeFileSync(
      join(dir, 'tampered', 'results.json'),
      JSON.stringify({ ...report, results: report.results.slice(1) }),
    );
    const merged = runCli(['report', '--merge', join(dir, 'shard-1'), '--merge', join(dir, 'tampered')]);
    expect(merged.status).toBe(1);
    expect(merged.stderr).toMatch(/blob reports and their results.json hold different checks/);
  });

  it('refuses to merge overlapping shards, naming the check', () => {
    const again = runCli([
      'report',
      '--merge',
      join(dir, 'shard-1'),
      '--merge',
      join(dir, 'shard-1'),
      '--out',
      join(dir, 'bad'),
    ]);
    expect(again.status).toBe(1);
    expect(again.stderr).toMatch(/the shards overlap/);
  });

  it('rejects a shard that is not i/n with 1 <= i <= n, as a usage error', () => {
    const bad = runCli(['conformance', '--shard', '3/2']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/--shard must be a part "i\/n" with 1 <= i <= n, got "3\/2"/);
  });
});
