// `diffspec conformance` end to end, as a user runs it: the cpu reference, the plain-JS example backend
// loaded by path, and five misbehaving backends in one run, with expectations files. The misbehaving ones
// must fail their checks with clear messages while the others are unaffected; the report must open in
// headless Chromium with every chart drawn.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packageRoot } from '../../src/paths.js';
import { reportCharts } from '../../src/report/charts.js';
import type { ConformanceReport } from '../../src/report/results.js';
import { findChromium, openReport } from './browser.js';
import { runCli } from './run-cli.js';

const MISBEHAVING = {
  throws: 'device lost',
  hangs: 'timed out',
  'wrong-shape': 'shape is [',
  'nan-output': 'holds NaN at data[0]',
  'plain-array': 'has data of type Array, not a Float64Array or Float32Array',
};
const CLOSED_FORM = 'closed form q(x_t | x_0) is sqrt(alpha-bar_t) x_0 + sqrt(1 - alpha-bar_t) e';
const STEPS = 't forward steps with noises e_1..e_t equal the closed form with their combined noise';
const CHAIN = 'the Markov chain run with the backend noise has the distribution q(x_t | x_0)';

// Two cheap property checks everywhere, the statistical one on cpu only (for the p-value chart); the hanging
// backend costs a full timeout per check, so it runs one.
const FILTER = '^forward (?!hangs)\\S+ t forward steps|closed form q|cpu the Markov chain';

const out = mkdtempSync(join(tmpdir(), 'diffspec-conformance-'));
let run: ReturnType<typeof runCli>;
let report: ConformanceReport;
const statusOf = (backend: string, check: string) =>
  report.results.find((r) => r.backend === backend && r.check === check)?.status;

beforeAll(() => {
  const backends = [
    'cpu',
    'examples/plain-js-backend/backend.mjs',
    ...Object.keys(MISBEHAVING).map((m) => `test/fixtures/misbehaving/${m}.ts`),
  ];
  run = runCli([
    'conformance',
    '--backend',
    backends.join(','),
    '--group',
    'forward',
    '--filter',
    FILTER,
    '--timeout',
    '2000',
    '--out',
    out,
    '--expectations',
    'test/fixtures/expectations-cpu.json',
    '--expectations',
    'test/fixtures/expectations-throws.json',
  ]);
  report = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8'));
}, 120_000);

// DIFFSPEC_KEEP_REPORT=1 keeps the report and the browser's screenshot, to look at them.
afterAll(() => {
  if (process.env.DIFFSPEC_KEEP_REPORT) console.log(`report kept in ${out}`);
  else rmSync(out, { recursive: true, force: true });
});

describe('diffspec conformance', () => {
  it('exits 1 because checks failed unexpectedly, and prints the summary table', () => {
    expect(run.status, run.stderr).toBe(1);
    expect(run.stdout).toMatch(/spec group\s+cpu\s+plain-js\s+throws/);
    expect(run.stdout).toContain('FAILED:');
  });

  it('reports expected failures, unexpected passes and declared skips from the expectations files', () => {
    expect(statusOf('cpu', CLOSED_FORM)).toBe('xpass');
    expect(statusOf('cpu', STEPS)).toBe('skip');
    expect(statusOf('cpu', CHAIN)).toBe('pass');
    expect(statusOf('throws', CLOSED_FORM)).toBe('xfail');
    expect(statusOf('throws', STEPS)).toBe('fail');
  });

  it('verifies the third-party backend loaded by path, with its measured error', () => {
    expect(statusOf('plain-js', CLOSED_FORM)).toBe('pass');
    expect(statusOf('plain-js', STEPS)).toBe('pass');
    const closed = report.results.find((r) => r.backend === 'plain-js' && r.check === CLOSED_FORM)!;
    expect(closed.error!.maxAbsError).toBeGreaterThan(0);
    expect(closed.error!.worstErrorToBound).toBeLessThanOrEqual(1);
    expect(report.run.backends.find((b) => b.name === 'plain-js')?.precision).toBe('float32');
  });

  it('fails each misbehaving backend with a message naming what went wrong, and a replay command', () => {
    for (const [backend, words] of Object.entries(MISBEHAVING)) {
      for (const check of backend === 'throws' ? [STEPS] : backend === 'hangs' ? [CLOSED_FORM] : [CLOSED_FORM, STEPS]) {
        const r = report.results.find((x) => x.backend === backend && x.check === check)!;
        expect(r.status, `${backend} ${check}`).toBe('fail');
        expect(r.message, `${backend} ${check}`).toContain(words);
        expect(r.replay).toContain(`DIFFSPEC_BACKENDS=${join(packageRoot(), 'test/fixtures/misbehaving', backend)}.ts`);
        expect(r.seed).toBeTypeOf('number');
      }
    }
  });

  it('prints a replay command that reproduces a failure on its own', () => {
    const r = report.results.find((x) => x.backend === 'nan-output' && x.check === CLOSED_FORM)!;
    const replay = spawnSync('sh', ['-c', r.replay!], { cwd: packageRoot(), encoding: 'utf8', timeout: 60_000 });
    expect(replay.status).toBe(1);
    expect(replay.stdout + replay.stderr).toContain('holds NaN');
  }, 60_000);

  it('writes junit.xml, summary.md (failures first) and trend.json', () => {
    const junit = readFileSync(join(out, 'junit.xml'), 'utf8');
    expect(junit.match(/<testcase /g)).toHaveLength(report.results.length);
    expect(junit.match(/<failure /g)).toHaveLength(report.results.filter((r) => r.status === 'fail').length);
    const summary = readFileSync(join(out, 'summary.md'), 'utf8');
    expect(summary.indexOf('## Failures')).toBeGreaterThan(0);
    expect(summary.indexOf('## Failures')).toBeLessThan(summary.indexOf('## Expected failures that now pass'));
    const trend = JSON.parse(readFileSync(join(out, 'trend.json'), 'utf8'));
    expect(trend).toHaveLength(1);
    expect(trend[0].backends['plain-js']).toMatchObject({ pass: 2, fail: 0 });
    expect(trend[0].versions.diffspec).toMatch(/^\d+\.\d+\.\d+/);
  });

  const chromium = findChromium();
  it.skipIf(!chromium)(
    'renders index.html in headless Chromium: no console errors, every chart and strip drawn',
    async () => {
      const page = await openReport(join(out, 'index.html'), chromium!);
      writeFileSync(join(out, 'screenshot.png'), page.screenshot);
      expect(page.problems).toEqual([]);
      expect(page.emptyFigures).toEqual([]);
      expect(page.charts).toBe(reportCharts(report.results).length);
      // The error heatmap (check x backend, coloured by error / bound) and the p-values of the statistical check.
      expect(page.drawnFigures).toEqual(expect.arrayContaining(['accuracy-heatmap', 'statistics']));
      // cpu and plain-js draw the seed's strip; the misbehaving backends get a note instead.
      expect(page.strips).toBe(2);
      expect(existsSync(join(out, 'screenshot.png'))).toBe(true);
    },
    60_000,
  );
  if (!chromium)
    it.skip('renders index.html in headless Chromium (skipped: no chromium on PATH; scripts/setup-chromium.sh installs it)', () => {});
});
