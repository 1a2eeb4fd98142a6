// Report pieces on their own: expectations files, trend.json appending, figures of records that only
// training and 2-D sampling specs produce.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DiffspecInputError } from '../../src/errors.js';
import { vegaLiteSvg } from '../../src/figures/vega.js';
import { reportCharts } from '../../src/report/charts.js';
import { junitXml } from '../../src/report/junit.js';
import type { CheckResultRecord, ConformanceReport } from '../../src/report/results.js';
import { appendTrend } from '../../src/report/trend.js';
import { expectationFor, parseExpectations } from '../../src/speckit/expectations.js';

const dir = mkdtempSync(join(tmpdir(), 'diffspec-report-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const result = (
  backend: string,
  status: CheckResultRecord['status'],
  records: CheckResultRecord['records'] = [],
): CheckResultRecord => ({
  backend,
  group: 'training',
  check: 'loss falls <&>',
  kind: 'statistical',
  status,
  timeMs: 1,
  seed: 1,
  suiteSeed: 2,
  records,
});
const report = (results: CheckResultRecord[]): ConformanceReport => ({
  run: {
    startedAt: '2026-11-27T00:00:00.000Z',
    durationMs: 10,
    suiteSeed: 2,
    versions: { diffspec: '0.1.0', node: 'v20', vitest: '4' },
    backends: [...new Set(results.map((r) => r.backend))].map((name) => ({ name })),
  },
  results,
  errors: [],
});

describe('expectations files', () => {
  it('match exact ids first, then * patterns, for their own backend only', () => {
    const e = [
      parseExpectations(
        {
          backend: 'gpu',
          checks: {
            'sampling > *': { status: 'skip', reason: 'no loops yet' },
            'sampling > ddim': { status: 'xfail', reason: 'float32 drift' },
          },
        },
        'gpu.json',
      ),
    ];
    expect(expectationFor(e, 'gpu', 'sampling > ddim')?.status).toBe('xfail');
    expect(expectationFor(e, 'gpu', 'sampling > ddpm')?.status).toBe('skip');
    expect(expectationFor(e, 'cpu', 'sampling > ddim')).toBeUndefined();
  });

  it('reject an entry without a reason, naming the file and the check', () => {
    expect(() =>
      parseExpectations({ backend: 'gpu', checks: { 'forward > x': { status: 'xfail', reason: ' ' } } }, 'gpu.json'),
    ).toThrow(DiffspecInputError);
    expect(() =>
      parseExpectations({ backend: 'gpu', checks: { 'forward > x': { status: 'maybe', reason: 'r' } } }, 'gpu.json'),
    ).toThrow(/gpu\.json: checks\["forward > x"\]\.status/);
  });
});

describe('trend.json', () => {
  it('appends one entry per run and refuses to overwrite a file that is not a list of runs', async () => {
    const path = join(dir, 'trend.json');
    await appendTrend(path, report([result('cpu', 'pass'), result('cpu', 'fail')]));
    await appendTrend(path, report([result('cpu', 'pass')]));
    const entries = JSON.parse(readFileSync(path, 'utf8'));
    expect(
      entries.map((e: { backends: Record<string, { pass: number; fail: number }> }) => [
        e.backends.cpu.pass,
        e.backends.cpu.fail,
      ]),
    ).toEqual([
      [1, 1],
      [1, 0],
    ]);
    writeFileSync(path, '{"not": "a list"}');
    await expect(appendTrend(path, report([]))).rejects.toThrow(/JSON array/);
    expect(readFileSync(path, 'utf8')).toBe('{"not": "a list"}');
  });
});

describe('report figures and junit', () => {
  it('draws 2-D samples against data and loss curves when training specs recorded them', async () => {
    const points: [number, number][] = [
      [0, 1],
      [1, 0.5],
      [2, 0.25],
    ];
    const results = [
      result('cpu', 'pass', [
        { kind: 'samples2d', what: 'two moons', samples: points, data: points },
        { kind: 'curve', what: 'training loss', xLabel: 'step', yLabel: 'loss', points },
      ]),
      result('tfjs', 'pass', [{ kind: 'curve', what: 'training loss', xLabel: 'step', yLabel: 'loss', points }]),
    ];
    const charts = reportCharts(results);
    expect(charts.map((c) => c.id)).toEqual(['samples-cpu-training-0', 'curve-0']);
    for (const c of charts) expect(await vegaLiteSvg(c.spec)).toMatch(/role-mark/);
  });

  it('escapes names in junit.xml and counts failures', () => {
    const xml = junitXml(report([result('cpu', 'fail'), result('cpu', 'xfail')]));
    expect(xml).toContain('name="loss falls &lt;&amp;&gt;"');
    expect(xml).toMatch(/<testsuites [^>]*failures="1"[^>]*skipped="1"/);
  });
});
