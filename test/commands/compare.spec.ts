// diffspec compare: the same inputs on each backend; the reference agrees with itself exactly, the float32
// example backend within float32 rounding (error / bound in (0, 1]), an operation a backend lacks is marked, not
// failed, and a backend drawing its own noise is measured on that noise (or, keeping it, by its distribution).
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cpuBackend } from '../../backends/cpu/index.js';
import { cpuKernels } from '../../backends/cpu/kernels.js';
// @ts-expect-error: a plain JavaScript module without type declarations.
import { backend as plainJs } from '../../examples/plain-js-backend/backend.mjs';
import { type CompareCell, compareBackends, compareMarkdown } from '../../src/compare/compare.js';
import { compareInputs } from '../../src/compare/operations.js';
import { parseSweep } from '../../src/compare/setting.js';
import { runSweeps, sweepFigure, sweepMarkdown } from '../../src/compare/sweep.js';
import { vegaLiteSvg } from '../../src/figures/vega.js';
import { composeBackend } from '../../src/pipeline/compose.js';
import { gaussianTensor } from '../../src/random/gaussian.js';
import { findChromium, openReport } from './browser.js';
import { runCli } from './run-cli.js';

/** The reference's kernels with a generator of their own (another seed), as tfjs has tf.randomNormal. */
const ownNoiseKernels = {
  ...cpuKernels,
  name: 'own-noise',
  randomNormal: (shape: readonly number[], seed: number, stream: number) => gaussianTensor(shape, seed + 1, stream),
};
const ownNoise = composeBackend(ownNoiseKernels);
/** The same, keeping its noise to itself: no randomNormal operation to ask. */
const hiddenNoise = composeBackend({ ...ownNoiseKernels, name: 'hidden-noise', without: ['random'] });

describe('diffspec compare', () => {
  it('measures each backend against the float64 reference on identical inputs and its bound', async () => {
    const inputs = compareInputs({ seed: 7, shape: [2, 3, 4, 4], steps: 20 });
    const cells = await compareBackends(cpuKernels, [cpuBackend, plainJs], inputs, 1);
    const cell = (b: string, op: string) => cells.find((c) => c.backend === b && c.operation === op)!;
    for (const c of cells.filter((x) => x.backend === 'cpu')) {
      expect(c).toMatchObject({ maxAbsError: 0, maxRelError: 0, errorToBound: 0 });
    }
    const q = cell('plain-js', 'qSample');
    expect('maxAbsError' in q && q.maxAbsError > 0 && q.maxAbsError < 1e-5).toBe(true);
    expect('errorToBound' in q && q.errorToBound > 0 && q.errorToBound <= 1).toBe(true);
    expect(cell('plain-js', 'ddpmStep')).toMatchObject({ unsupported: 'lacks reverse' });
    const table = compareMarkdown(cells, inputs, 1);
    expect(table).toMatch(/\| operation \| cpu \| plain-js \|/);
    expect(table).toMatch(/of bound/);
    const rows = table.split('\n').filter((l) => l.startsWith('| ') && !/^\| (operation|---)/.test(l));
    expect(rows).toHaveLength(cells.length / 2);
  });

  it('runs the reference on the noise a backend drew, or compares distributions where it keeps its noise', async () => {
    const inputs = compareInputs({ seed: 5, shape: [4, 3, 8, 8], steps: 50 });
    const cells = await compareBackends(cpuKernels, [ownNoise, hiddenNoise], inputs, 0);
    const loops = (b: string) => cells.filter((c) => c.backend === b && /^(forwardChain|sampleDdim)/.test(c.operation));
    // Same float64 arithmetic on the same noise: no error at all, where the shared-noise reference differs by O(1).
    expect(loops('own-noise')).toHaveLength(2);
    for (const c of loops('own-noise')) expect(c).toMatchObject({ maxAbsError: 0, errorToBound: 0 });
    const hidden = loops('hidden-noise') as Extract<CompareCell, { ownNoise: unknown }>[];
    expect(hidden.map((c) => c.ownNoise.test)).toEqual(new Array(2).fill('two-sample Kolmogorov-Smirnov'));
    // The same law: the fixed seed's p-values are far from the alpha of 1e-3.
    for (const c of hidden) expect(c.ownNoise.pValue).toBeGreaterThan(0.01);
    const qSample = cells.find((c) => c.backend === 'hidden-noise' && c.operation === 'qSample');
    expect(qSample).toMatchObject({ maxAbsError: 0 });
    expect(compareMarkdown(cells, inputs, 0)).toMatch(/n\/a \(own noise\): KS D = 0\.\d+, p = /);
  });
});

describe('diffspec compare --sweep', () => {
  it('reads AXIS=V,... with 1e3 notation and refuses other axes and values', () => {
    expect(parseSweep('size=1e3,1e5')).toEqual({ axis: 'size', values: [1000, 100000] });
    expect(parseSweep('steps=10')).toEqual({ axis: 'steps', values: [10] });
    for (const bad of ['width=3', 'size=', 'size=1.5', 'size=0', 'T=10,,20', 'size']) {
      expect(parseSweep(bad)).toBeUndefined();
    }
  });

  it('varies one setting at a time; the loops alone for the loop length', async () => {
    const base = { seed: 1, shape: [2, 3, 4, 4], T: 100, steps: 10 };
    const sweeps = [parseSweep('size=64,4096')!, parseSweep('steps=2,20')!];
    const points = await runSweeps(cpuKernels, [cpuBackend, plainJs], sweeps, base);
    const bySize = points.filter((p) => p.axis === 'size');
    expect(new Set(bySize.map((p) => p.value))).toEqual(new Set([64, 4096]));
    const loops = new Set(points.filter((p) => p.axis === 'steps').map((p) => p.operation));
    expect(loops).toEqual(new Set(['forwardChain', 'sampleDdim (eta 0)']));
    const of = (steps: number) => points.filter((p) => p.axis === 'steps' && p.value === steps);
    const chain = (steps: number) => of(steps).find((p) => p.backend === 'plain-js' && p.operation === 'forwardChain')!;
    // float32 rounding accumulates over the loop: more steps, more error, each within its bound.
    const [short, long] = [chain(2), chain(20)];
    if (!('maxAbsError' in short) || !('maxAbsError' in long)) throw new Error('forwardChain not measured');
    expect(long.maxAbsError).toBeGreaterThan(short.maxAbsError);
    expect(long.errorToBound).toBeLessThanOrEqual(1);
    const svg = await vegaLiteSvg(sweepFigure(points, 'size'));
    expect(svg).toMatch(/role-mark/);
    expect(sweepMarkdown(points)).toMatch(/\| qSample \| plain-js \| \d\.\de-\d+ \(0\.\d+\) \|/);
  });

  it('refuses a loop longer than the schedule, naming the option', () => {
    const r = runCli(['compare', '--backends', 'cpu', '--T', '50', '--sweep', 'steps=10,100']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('--sweep steps=100: a loop has at most T = 50 steps');
  });
});

describe('diffspec compare --out', () => {
  const out = mkdtempSync(join(tmpdir(), 'diffspec-compare-'));
  // DIFFSPEC_KEEP_REPORT=1 keeps the report and the browser's screenshot, to look at them.
  afterAll(() => {
    if (process.env.DIFFSPEC_KEEP_REPORT) console.log(`report kept in ${out}`);
    else rmSync(out, { recursive: true, force: true });
  });
  const args = ['--batch', '2', '--size', '4', '--T', '50', '--steps', '5', '--repeat', '1', '--out', out];
  const sweeps = ['--sweep', 'size=64,512,4096', '--sweep', 'T=20,50', '--sweep', 'steps=2,10,50'];

  it('writes index.html, summary.md, compare.json and each sweep as vega-lite and SVG', () => {
    const r = runCli(['compare', '--backends', 'cpu,examples/plain-js-backend/backend.mjs', ...args, ...sweeps]);
    expect(r.status, r.stderr).toBe(0);
    const files = ['index.html', 'summary.md', 'compare.json', 'sweep-size.vl.json', 'sweep-T.svg', 'sweep-steps.svg'];
    for (const f of files) {
      expect(existsSync(join(out, f)), f).toBe(true);
    }
    const json = JSON.parse(readFileSync(join(out, 'compare.json'), 'utf8'));
    expect(json.inputs).toMatchObject({ shape: [2, 3, 4, 4], schedule: { T: 50 }, steps: 5 });
    expect(json.sweeps.length).toBeGreaterThan(0);
    expect(readFileSync(join(out, 'summary.md'), 'utf8')).toMatch(/## Sweeps/);
    const figure = JSON.parse(readFileSync(join(out, 'sweep-size.vl.json'), 'utf8'));
    expect(figure.spec.encoding.x.scale).toEqual({ type: 'log' });
  }, 120_000);

  const chromium = findChromium();
  it.skipIf(!chromium)(
    'renders index.html in headless Chromium: the heatmap and every sweep drawn',
    async () => {
      const page = await openReport(join(out, 'index.html'), chromium!);
      writeFileSync(join(out, 'screenshot.png'), page.screenshot);
      expect(page.problems).toEqual([]);
      expect(page.emptyFigures).toEqual([]);
      expect(page.drawnFigures).toEqual(['compare-heatmap', 'sweep-size', 'sweep-T', 'sweep-steps']);
    },
    60_000,
  );
});
