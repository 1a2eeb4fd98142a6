// Measured error of every contract operation of the GPU.js backends against the float64 reference on
// identical inputs, as a ratio to the tolerance of src/speckit/tolerance.ts (ratio <= 1 passes).
//   npx tsx bench/gpujs-accuracy.ts [mode ...]       (headlessgl needs an X server: xvfb-run -a)
import { pathToFileURL } from 'node:url';
import { cpuKernels } from '../backends/cpu/kernels.js';
import { createGpujsBackend } from '../backends/gpujs/index.js';
import type { GpujsMode } from '../backends/gpujs/types.js';
import type { DiffusionBackend, ReverseOptions } from '../src/contract/backend.js';
import type { TensorKernels } from '../src/contract/kernels.js';
import { composeBackend } from '../src/pipeline/compose.js';
import { gaussianTensor } from '../src/random/gaussian.js';
import { DDPM_SCHEDULE } from '../src/schedule/spec.js';
import { scheduleTables } from '../src/schedule/tables.js';
import {
  absoluteFloor,
  meanSquaredErrorRoundings,
  meanSquaredErrorScale,
  type Operation,
  relativeBound,
  roundingsFor,
} from '../src/speckit/tolerance.js';
import { itemSize, type Tensor } from '../src/tensor.js';

/** A float64 value with the running magnitude its rounding error scales with (src/speckit/tolerance.ts). */
interface Tracked {
  value: Tensor;
  scale: Tensor;
}

const abs = (t: Tensor): Tensor => ({ shape: t.shape, data: Float64Array.from(t.data, Math.abs) });
const absArray = (a: Float64Array) => Float64Array.from(a, Math.abs);

/**
 * The reference kernels, each also propagating Higham's running magnitude: a linear combination scales with
 * sum |c| scale(x) (as spec/support/combination.ts), a product with |a| scale(b) + scale(a) |b|, exp(s x)
 * with exp(s x) (1 + |s| scale(x)), a clip passes its input's scale on. Composed by the same
 * src/pipeline/compose.ts as every backend, every contract operation gets its own scale for free.
 */
function trackingKernels(read: 'value' | 'scale'): TensorKernels<Tracked> {
  const c = cpuKernels;
  return {
    name: `reference ${read}`,
    precision: 'float64',
    upload: (t) => ({ value: c.upload(t), scale: abs(c.upload(t)) }),
    download: (h) => h[read],
    dispose: () => {},
    linear: (terms, bias) => ({
      value: c.linear(
        terms.map(({ x, coef }) => ({ x: x.value, coef })),
        bias,
      ),
      scale: c.linear(
        terms.map(({ x, coef }) => ({ x: x.scale, coef: absArray(coef) })),
        bias && absArray(bias),
      ),
    }),
    fill: (shape, values) => ({ value: c.fill(shape, values), scale: c.fill(shape, absArray(values)) }),
    clip: (x, lo, hi) => ({ value: c.clip(x.value, lo, hi), scale: x.scale }),
    exp(x, s) {
      const value = c.exp(x.value, s);
      return {
        value,
        scale: {
          shape: value.shape,
          data: value.data.map((v, i) => Math.abs(v) * (1 + Math.abs(s) * x.scale.data[i])),
        },
      };
    },
    multiply: (a, b) => ({
      value: c.multiply(a.value, b.value),
      scale: {
        shape: a.value.shape,
        data: a.value.data.map((av, i) => Math.abs(av) * b.scale.data[i] + a.scale.data[i] * Math.abs(b.value.data[i])),
      },
    }),
    splitChannels(x, channels) {
      const [v0, v1] = c.splitChannels(x.value, channels);
      const [s0, s1] = c.splitChannels(x.scale, channels);
      return [
        { value: v0, scale: s0 },
        { value: v1, scale: s1 },
      ];
    },
    meanSquaredErrorPerSample: (a, b) => c.meanSquaredErrorPerSample(a.value, b.value),
    sinusoidalEmbedding(t, f, dim) {
      const value = c.sinusoidalEmbedding(t, f, dim);
      const half = f.length;
      const scale = new Float64Array(value.data.length);
      for (let n = 0; n < t.length; n++)
        for (let j = 0; j < dim; j++) scale[n * dim + j] = 1 + (j < 2 * half ? Math.abs(t[n] * f[j % half]) : 0);
      return { value, scale: { shape: value.shape, data: scale } };
    },
  };
}

export interface AccuracyRow {
  mode: string;
  operation: string;
  output: string;
  roundings: number;
  maxAbsError: number;
  maxRelError: number;
  /** Worst |error| / bound; above 1 the spec tolerance is exceeded. */
  errorToBound: number;
}

type Outputs = Record<string, Tensor>;
interface Case {
  operation: string;
  /** Tolerance entry per output (or the roundings directly). */
  roundings: Record<string, Operation | number>;
  run(b: DiffusionBackend): Promise<Outputs>;
  /** Scales for outputs the composed magnitude cannot give. */
  scale?: Outputs;
}

/** `large`: the shape of the large q_sample case, which tests indexing beyond the small cases' texture sizes. */
function cases(large: readonly number[]): Case[] {
  const spec = DDPM_SCHEDULE;
  const s = scheduleTables(spec);
  const shape = [4, 3, 16, 16];
  const t = [1, 10, 500, 1000];
  const x0 = gaussianTensor(shape, 11, 1);
  const noise = gaussianTensor(shape, 11, 2);
  const out = gaussianTensor(shape, 11, 3);
  const learned = gaussianTensor([4, 6, 16, 16], 11, 4);
  const largeX0 = gaussianTensor(large, 12, 1);
  const largeNoise = gaussianTensor(large, 12, 2);
  const reverse = (name: string, options: ReverseOptions, modelOutput = out): Case => ({
    operation: `pMeanVariance ${name}`,
    roundings: { predX0: 'predX0', mean: 'pMean', variance: 'pVariance', logVariance: 'pVariance' },
    run: async (b) => ({ ...(await b.pMeanVariance({ schedule: s, xt: x0, t, modelOutput, options })) }),
  });
  const m = itemSize(x0);
  return [
    {
      operation: 'forwardStep',
      roundings: { x: 'forwardStep' },
      run: async (b) => ({ x: await b.forwardStep({ schedule: s, xPrev: x0, noise, t }) }),
    },
    {
      operation: 'qSample',
      roundings: { x: 'qSample' },
      run: async (b) => ({ x: await b.qSample({ schedule: s, x0, noise, t }) }),
    },
    {
      operation: `qSample ${large.join('x')}`,
      roundings: { x: 'qSample' },
      run: async (b) => ({
        x: await b.qSample({
          schedule: s,
          x0: largeX0,
          noise: largeNoise,
          t: Array.from({ length: large[0] }, (_, i) => 1 + Math.round((i * (s.T - 1)) / Math.max(1, large[0] - 1))),
        }),
      }),
    },
    {
      operation: 'forwardChain t=100',
      // As spec/groups/forward.ts: each step costs forwardStep + 2 roundings.
      roundings: { x: (roundingsFor('forwardStep', 'float32') + 2) * 101 },
      run: async (b) => ({
        x: (await b.forwardChain({ schedule: s, x0: gaussianTensor([2, 3, 16, 16], 13, 1), t: 100, seed: 7 })).xt,
      }),
    },
    {
      operation: 'qPosterior',
      roundings: { mean: 'posteriorMean', variance: 'posteriorVariance', logVarianceClipped: 'posteriorVariance' },
      run: async (b) => ({ ...(await b.qPosterior({ schedule: s, x0, xt: noise, t })) }),
    },
    reverse('eps fixed_small', {}),
    reverse('eps fixed_large clip', { variance: 'fixed_large', clip: true }),
    reverse('x0', { prediction: 'x0' }),
    reverse('v', { prediction: 'v' }),
    reverse('eps learned_range', { variance: 'learned_range' }, learned),
    {
      operation: 'ddpmStep',
      roundings: { prev: 'ddpmStep', predX0: 'predX0' },
      run: async (b) => ({ ...(await b.ddpmStep({ schedule: s, xt: x0, t, modelOutput: out, noise })) }),
    },
    {
      operation: 'ddpmStep learned_range',
      roundings: { prev: 'ddpmStep', predX0: 'predX0' },
      run: async (b) => ({
        ...(await b.ddpmStep({
          schedule: s,
          xt: x0,
          t,
          modelOutput: learned,
          noise,
          options: { variance: 'learned_range' },
        })),
      }),
    },
    {
      operation: 'ddimStep eta=0',
      roundings: { prev: 'ddimStep', predX0: 'predX0' },
      run: async (b) => ({
        ...(await b.ddimStep({ schedule: s, xt: x0, t, tPrev: [0, 5, 400, 980], modelOutput: out })),
      }),
    },
    {
      operation: 'ddimStep eta=1 clip',
      roundings: { prev: 'ddimStep', predX0: 'predX0' },
      run: async (b) => ({
        ...(await b.ddimStep({
          schedule: s,
          xt: x0,
          t,
          tPrev: [0, 5, 400, 980],
          modelOutput: out,
          noise,
          options: { eta: 1, clip: true },
        })),
      }),
    },
    {
      operation: 'ddimReverseStep',
      roundings: { next: 'ddimReverseStep' },
      run: async (b) => ({
        ...(await b.ddimReverseStep({
          schedule: s,
          xt: x0,
          t: [1, 10, 500, 999],
          tNext: [2, 20, 600, 1000],
          modelOutput: out,
        })),
      }),
    },
    {
      operation: 'lossSimple',
      roundings: { perSample: meanSquaredErrorRoundings(m) },
      run: async (b) => ({
        perSample: (await b.lossSimple({ schedule: s, x0, noise, t, modelOutput: out })).perSample,
      }),
      scale: {
        perSample: { shape: [noise.shape[0]], data: meanSquaredErrorScale(noise.data, out.data, noise.shape[0]) },
      },
    },
    {
      operation: 'timestepEmbedding dim=128',
      roundings: { embedding: 'timestepEmbedding' },
      run: async (b) => ({ embedding: await b.timestepEmbedding({ t: [0, 1, 17, 250, 999, 1000], dim: 128 }) }),
    },
    {
      operation: 'timestepEmbedding dim=7',
      roundings: { embedding: 'timestepEmbedding' },
      run: async (b) => ({ embedding: await b.timestepEmbedding({ t: [3, 500], dim: 7 }) }),
    },
  ];
}

/**
 * The loss kernel returns to the host, so it has no composed
 * magnitude: the mean of (|a| + |b|)^2 bounds every rounded term.
 */
/** Runs every case on the backend and compares it with the float64 reference. */
export async function measureAccuracy(
  backend: DiffusionBackend,
  large: readonly number[] = [8, 3, 256, 256],
): Promise<AccuracyRow[]> {
  const reference = composeBackend(trackingKernels('value'));
  const magnitude = composeBackend(trackingKernels('scale'));
  const rows: AccuracyRow[] = [];
  for (const c of cases(large)) {
    const [actual, expected, scales] = [await c.run(backend), await c.run(reference), await c.run(magnitude)];
    for (const [output, want] of Object.entries(expected)) {
      const entry = c.roundings[output];
      const roundings = typeof entry === 'number' ? entry : roundingsFor(entry, backend.precision);
      const got = actual[output].data;
      const scale = (c.scale?.[output] ?? scales[output]).data;
      const rel = relativeBound(roundings, backend.precision);
      const floor = absoluteFloor(roundings, backend.precision);
      let maxAbsError = 0;
      let maxRelError = 0;
      let errorToBound = 0;
      for (let i = 0; i < got.length; i++) {
        const err = Math.abs(got[i] - want.data[i]);
        maxAbsError = Math.max(maxAbsError, err);
        if (want.data[i] !== 0) maxRelError = Math.max(maxRelError, err / Math.abs(want.data[i]));
        errorToBound = Math.max(errorToBound, Number.isFinite(got[i]) ? err / (rel * scale[i] + floor) : Infinity);
      }
      rows.push({
        mode: backend.name,
        operation: c.operation,
        output,
        roundings,
        maxAbsError,
        maxRelError,
        errorToBound,
      });
    }
  }
  return rows;
}

/** measureAccuracy on the GPU.js backend of each mode. */
export async function measureGpujsAccuracy(
  modes: readonly GpujsMode[],
  large?: readonly number[],
): Promise<AccuracyRow[]> {
  const rows: AccuracyRow[] = [];
  for (const mode of modes) {
    const backend = await createGpujsBackend(mode);
    try {
      rows.push(...(await measureAccuracy(backend, large)));
    } finally {
      await backend.dispose?.();
    }
  }
  return rows;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const modes = (
    process.argv.length > 2 ? process.argv.slice(2) : ['cpu', 'webasm', 'headlessgl', 'webgpu']
  ) as GpujsMode[];
  const rows = await measureGpujsAccuracy(modes);
  console.log('| mode | operation | output | k | max abs error | max rel error | error / bound |');
  console.log('|---|---|---|---|---|---|---|');
  for (const r of rows) {
    console.log(
      `| ${r.mode} | ${r.operation} | ${r.output} | ${r.roundings} | ${r.maxAbsError.toExponential(2)} | ${r.maxRelError.toExponential(2)} | ${r.errorToBound.toFixed(3)}${r.errorToBound > 1 ? ' **exceeds**' : ''} |`,
    );
  }
}
