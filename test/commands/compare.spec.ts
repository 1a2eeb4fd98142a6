// diffspec compare: the same inputs on each backend; the reference agrees with itself exactly, the float32
// example backend within float32 rounding (error / bound in (0, 1]), an operation a backend lacks is marked, not
// failed, and a backend drawing its own noise is measured on that noise (or, keeping it, by its distribution).
import { describe, expect, it } from 'vitest';
import { cpuBackend } from '../../backends/cpu/index.js';
import { cpuKernels } from '../../backends/cpu/kernels.js';
import { compareBackends, compareMarkdown, type CompareCell } from '../../src/compare/compare.js';
import { compareInputs } from '../../src/compare/operations.js';
import { composeBackend } from '../../src/pipeline/compose.js';
import { gaussianTensor } from '../../src/random/gaussian.js';
// @ts-expect-error: a plain JavaScript module without type declarations.
import { backend as plainJs } from '../../examples/plain-js-backend/backend.mjs';

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

  it("runs the reference on the noise a backend drew, or compares distributions where it keeps its noise", async () => {
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
