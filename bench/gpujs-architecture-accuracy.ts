// Measured error of every architecture kernel (src/contract/architecture-kernels.ts) of the GPU.js backends against
// the float64 reference kernels on identical inputs, as a ratio to its float32 rounding bound (ratio <= 1 passes),
// over a sequence of shapes run on the same kernels: a kernel compiled for one shape that reads another shape's
// elements, or a resizable kernel that indexes with the wrong width, shows as a ratio far above 1.
//   npx tsx bench/gpujs-architecture-accuracy.ts [mode ...]       (headlessgl needs an X server: xvfb-run -a)
import { pathToFileURL } from 'node:url';
import { cpuArchitectureKernels as reference } from '../backends/cpu/architecture.js';
import { openGpujsKernels } from '../backends/gpujs/index.js';
import type { GpujsMode } from '../backends/gpujs/types.js';
import type { TensorKernels } from '../src/contract/kernels.js';
import { gaussianTensor } from '../src/random/gaussian.js';
import { ELEMENTARY_FUNCTION_ROUNDINGS, measureError, normalizationRoundings } from '../src/speckit/tolerance.js';
import { sizeOf, type Tensor } from '../src/tensor.js';

export interface ArchitectureAccuracyRow {
  operation: string;
  maxAbsError: number;
  errorToBound: number;
}

/** N, C, H, W of the image-shaped inputs of one round of cases. */
export type CaseGeometry = readonly [number, number, number, number];

/**
 * Small shapes that change from round to round (the resizable kernels), then 2x8x64x64, whose outputs of 65536
 * elements or more reach the kernels compiled per shape, then a small shape again after it.
 */
export const ARCHITECTURE_GEOMETRIES: readonly CaseGeometry[] = [
  [2, 3, 5, 6],
  [3, 2, 4, 4],
  [2, 8, 64, 64],
  [1, 4, 6, 3],
];

const abs = (t: Tensor): Tensor => ({ shape: t.shape, data: Float64Array.from(t.data, Math.abs) });
const map = (t: Tensor, f: (v: number, i: number) => number): Tensor => ({
  shape: t.shape,
  data: Float64Array.from(t.data, f),
});

/**
 * One case: the operation's name, its GPU.js result, the float64 reference's, and per element the magnitude its
 * rounding error scales with and the number of roundings k (bound k (u_float32 + u_float64) scale).
 */
interface Case {
  operation: string;
  run: () => Promise<Tensor[]>;
  expected: Tensor[];
  scale: Tensor[];
  roundings: number;
  /**
   * Per element, how far a flush of a subnormal input to zero (allowed in GLSL ES; llvmpipe does it, README
   * "Subnormals on headlessgl") reaches it: the coefficient applied after the flush (default 1).
   */
  floors?: Float64Array;
}

/** Softmax rows' largest |s x|, per element of x (the score magnitude its exp argument's error scales with). */
function rowMagnitude(x: Tensor, scale: number): Float64Array {
  const L = x.shape[x.shape.length - 1];
  const out = new Float64Array(x.data.length);
  for (let o = 0; o < out.length; o += L) {
    let m = 0;
    for (let j = 0; j < L; j++) m = Math.max(m, Math.abs(scale * x.data[o + j]));
    out.fill(m, o, o + L);
  }
  return out;
}

/**
 * Per element of x as `rows` rows: the row's (|mu| + max |x|) / sqrt(var + eps), the magnitude a standardised value's
 * error scales with (the mean's recursive sum errs by up to L u max |x|, as the architectures group's norm check).
 */
function standardisedMagnitude(x: Tensor, rows: number, epsilon: number) {
  const L = x.data.length / rows;
  const magnitude = new Float64Array(x.data.length);
  const deviation = new Float64Array(x.data.length);
  for (let r = 0; r < rows; r++) {
    const row = Float64Array.from(x.data.subarray(r * L, (r + 1) * L));
    const mu = row.reduce((s, v) => s + v, 0) / L;
    const variance = row.reduce((s, v) => s + (v - mu) ** 2, 0) / L;
    const top = row.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
    deviation.fill(1 / Math.sqrt(variance + epsilon), r * L, (r + 1) * L);
    magnitude.fill((Math.abs(mu) + top) * deviation[r * L], r * L, (r + 1) * L);
  }
  return { L, magnitude, deviation };
}

/** The mean over each of `rows` rows, per element. */
function rowMeans(values: Float64Array, rows: number): Float64Array {
  const L = values.length / rows;
  const out = new Float64Array(values.length);
  for (let r = 0; r < rows; r++)
    out.fill(values.subarray(r * L, (r + 1) * L).reduce((s, v) => s + v, 0) / L, r * L, (r + 1) * L);
  return out;
}

function cases<H>(kernels: TensorKernels<H>, [n, c, h, w]: CaseGeometry, seed: number): Case[] {
  const ak = kernels.training?.architecture;
  if (!ak) throw new Error(`${kernels.name} has no architecture kernels`);
  const x = gaussianTensor([n, c, h, w], seed, 0);
  const dy = gaussianTensor([n, c, h, w], seed, 1);
  const tag = `${n}x${c}x${h}x${w}`;
  /** Uploads the inputs, runs f, downloads its results and disposes everything. */
  const onDevice = (inputs: Tensor[], f: (handles: H[]) => Promise<H[]>) => async (): Promise<Tensor[]> => {
    const handles = await Promise.all(inputs.map((t) => kernels.upload(t)));
    const results = await f(handles);
    const out = await Promise.all(results.map((r) => kernels.download(r)));
    for (const r of [...handles, ...results]) kernels.dispose(r);
    return out.map((t) => ({ shape: t.shape, data: Float64Array.from(t.data) }));
  };
  /** Data movement: exact after the input's one rounding to float32. */
  const moved = (operation: string, input: Tensor, f: (h: H) => Promise<H> | H, expected: Tensor): Case => ({
    operation: `${operation} ${tag}`,
    run: onDevice([input], async ([a]) => [await f(a)]),
    expected: [expected],
    scale: [abs(expected)],
    roundings: 1,
  });

  const list: Case[] = [];
  for (const shape of [
    [n * c, h, w],
    [n * c * h, w],
    [1, n * c * h * w],
    [n, c * h, w],
  ])
    list.push(moved(`reshape to [${shape}]`, x, (a) => ak.reshape(a, shape), reference.reshape(x, shape)));
  for (const perm of [
    [0, 2, 3, 1],
    [1, 0, 3, 2],
    [3, 1, 2, 0],
  ])
    list.push(moved(`transpose [${perm}]`, x, (a) => ak.transpose(a, perm), reference.transpose(x, perm)));
  for (const shape of [
    [n, c, 1, 1],
    [1, c, 1, w],
    [n, 1, h, 1],
  ]) {
    const small = gaussianTensor(shape, seed, 2);
    list.push(
      moved(`broadcastTo [${shape}]`, small, (a) => ak.broadcastTo(a, x.shape), reference.broadcastTo(small, x.shape)),
    );
    // A sum of up to sizeOf(x) / sizeOf(shape) terms, plus the input's rounding.
    list.push({
      operation: `sumTo [${shape}] ${tag}`,
      run: onDevice([x], async ([a]) => [await ak.sumTo(a, shape)]),
      expected: [reference.sumTo(x, shape)],
      scale: [reference.sumTo(abs(x), shape)],
      roundings: sizeOf(x.shape) / sizeOf(shape) + 1,
    });
  }

  // Products of [n c, h, w] matrices by [n c, w, w] ones, each operand in either orientation: a dot product of w
  // terms with the two input roundings.
  const a = { shape: [n * c, h, w], data: x.data };
  const square = gaussianTensor([n * c, w, w], seed, 3);
  for (const [ta, tb] of [
    [false, false],
    [false, true],
    [true, false],
    [true, true],
  ] as const) {
    const left = ta ? reference.transpose(a, [0, 2, 1]) : a;
    list.push({
      operation: `batchMatMul${ta ? ' A^T' : ''}${tb ? ' B^T' : ''} ${tag}`,
      run: onDevice([left, square], async ([p, q]) => [await ak.batchMatMul(p, q, ta, tb)]),
      expected: [reference.batchMatMul(left, square, ta, tb)],
      scale: [reference.batchMatMul(abs(left), abs(square), ta, tb)],
      roundings: w + 2,
    });
  }

  // softmax(s x): the exp argument s x_j - max carries about 7 roundings of the row's largest |s x| (x's and s's
  // casts and the product, for x_j and the max, and the difference), which exp turns into relative error, with its
  // own; twice that (the numerator's and the sum's), the sum of L terms and the division, relative to y.
  for (const scale of [0.7, 30]) {
    const y = reference.softmax(x, scale);
    const magnitude = rowMagnitude(x, scale);
    const k = 2 * (7 + ELEMENTARY_FUNCTION_ROUNDINGS.float32) + w + 2;
    list.push({
      operation: `softmax scale ${scale} ${tag}`,
      run: onDevice([x], async ([p]) => [await ak.softmax(p, scale)]),
      expected: [y],
      scale: [map(y, (v, i) => Math.abs(v) * Math.max(1, magnitude[i]))],
      roundings: k,
    });
    // s y (dy - sum_k dy_k y_k): the dot product of L terms, the difference, two products and three casts, relative
    // to |s| |y| (|dy| + sum_k |dy_k y_k|).
    const absDot = new Float64Array(x.data.length);
    for (let o = 0; o < absDot.length; o += w) {
      let s = 0;
      for (let j = 0; j < w; j++) s += Math.abs(dy.data[o + j] * y.data[o + j]);
      absDot.fill(s, o, o + w);
    }
    // Weights below 2^-126 may be flushed to zero; the flush is then scaled by s (dy - sum_k dy_k y_k).
    const flushScale = Float64Array.from(y.data, (_, i) => scale * (Math.abs(dy.data[i]) + absDot[i]));
    list.push({
      operation: `softmaxBackward scale ${scale} ${tag}`,
      floors: flushScale,
      run: onDevice([y, dy], async ([p, q]) => [await ak.softmaxBackward(p, q, scale)]),
      expected: [reference.softmaxBackward(y, dy, scale)],
      scale: [map(y, (v, i) => scale * Math.abs(v) * (Math.abs(dy.data[i]) + absDot[i]))],
      roundings: w + 6,
    });
  }

  // Rows per channel (GroupNorm), per token of w (LayerNorm), and one row over the whole batch (spanning items).
  const epsilon = 1e-5;
  for (const rows of [n * c, n * c * h, 1]) {
    const { L, magnitude, deviation } = standardisedMagnitude(x, rows, epsilon);
    const k = normalizationRoundings(L) + 1;
    // normalizationRoundings, relative to (max |x| + |mu|) / sqrt(var + eps), plus the input's cast.
    const standardised = map(x, (_, i) => magnitude[i]);
    list.push({
      operation: `normalize ${rows} rows ${tag}`,
      run: onDevice([x], async ([p]) => [await ak.normalize(p, rows, epsilon)]),
      expected: [reference.normalize(x, rows, epsilon)],
      scale: [standardised],
      roundings: k,
    });
    // (dy - mean(dy) - y mean(dy y)) d: y and d carry the forward's error, mean(dy y) a sum of L more, relative to
    // d (|dy| + mean|dy| + |y|' mean(|dy| |y|')), |y|' = (max |x| + |mu|) d.
    const meanAbsDy = rowMeans(Float64Array.from(dy.data, Math.abs), rows);
    const meanAbsDyY = rowMeans(
      Float64Array.from(dy.data, (v, i) => Math.abs(v) * standardised.data[i]),
      rows,
    );
    list.push({
      operation: `normalizeBackward ${rows} rows ${tag}`,
      run: onDevice([x, dy], async ([p, q]) => [await ak.normalizeBackward(p, rows, epsilon, q)]),
      expected: [reference.normalizeBackward(x, rows, epsilon, dy)],
      scale: [
        map(x, (_, i) => deviation[i] * (Math.abs(dy.data[i]) + meanAbsDy[i] + standardised.data[i] * meanAbsDyY[i])),
      ],
      roundings: k + L + 6,
    });
  }

  // SiLU on 4 x: the input's cast moves exp's argument by u |x|, exp adds its own, then 1 +, the division; the
  // derivative a few products more. Relative to |x| (1 + |x|) and (1 + |x|)^2 |dy|.
  const wide = map(x, (v) => 4 * v);
  list.push({
    operation: `silu ${tag}`,
    run: onDevice([wide], async ([p]) => [await ak.silu(p)]),
    expected: [reference.silu(wide)],
    scale: [map(wide, (v) => Math.abs(v) * (1 + Math.abs(v)))],
    roundings: ELEMENTARY_FUNCTION_ROUNDINGS.float32 + 4,
  });
  list.push({
    operation: `siluBackward ${tag}`,
    run: onDevice([wide, dy], async ([p, q]) => [await ak.siluBackward(p, q)]),
    expected: [reference.siluBackward(wide, dy)],
    scale: [map(wide, (v, i) => (1 + Math.abs(v)) ** 2 * Math.abs(dy.data[i]))],
    roundings: ELEMENTARY_FUNCTION_ROUNDINGS.float32 + 8,
  });

  // Strided convolutions, 3 x 3, padding 1: every output a dot product (plus a bias) with its two casts, relative
  // to the same convolution of the absolute values.
  const outputs = c + 1;
  const weight = map(gaussianTensor([outputs, c, 3, 3], seed, 4), (v) => v / 3);
  const bias = gaussianTensor([outputs], seed, 5);
  for (const stride of [1, 2]) {
    const y = reference.stridedConv2d(x, weight, bias, 1, stride);
    const dOut = gaussianTensor(y.shape, seed, 6);
    list.push({
      operation: `stridedConv2d stride ${stride} ${tag}`,
      run: onDevice([x, weight, bias], async ([p, q, r]) => [await ak.stridedConv2d(p, q, r, 1, stride)]),
      expected: [y],
      scale: [reference.stridedConv2d(abs(x), abs(weight), abs(bias), 1, stride)],
      roundings: 9 * c + 3,
    });
    const g = reference.stridedConv2dBackward(x, weight, dOut, 1, stride);
    const gs = reference.stridedConv2dBackward(abs(x), abs(weight), abs(dOut), 1, stride);
    list.push({
      operation: `stridedConv2dBackward stride ${stride} ${tag}`,
      run: onDevice([x, weight, dOut], async ([p, q, r]) => {
        const grads = await ak.stridedConv2dBackward(p, q, r, 1, stride);
        return [grads.dx, grads.dWeight, grads.dBias];
      }),
      expected: [g.dx, g.dWeight, g.dBias],
      scale: [gs.dx, gs.dWeight, gs.dBias],
      roundings: Math.max(9 * outputs, sizeOf(y.shape) / outputs) + 2,
    });
  }
  return list;
}

/** Every architecture kernel on every geometry, in order, on one set of kernels: its worst error to bound. */
export async function measureArchitectureAccuracy<H>(
  kernels: TensorKernels<H>,
  geometries: readonly CaseGeometry[] = ARCHITECTURE_GEOMETRIES,
): Promise<ArchitectureAccuracyRow[]> {
  const rows: ArchitectureAccuracyRow[] = [];
  for (const [round, geometry] of geometries.entries()) {
    for (const test of cases(kernels, geometry, 71 + round)) {
      const actual = await test.run();
      let maxAbsError = 0;
      let errorToBound = 0;
      actual.forEach((t, i) => {
        if (t.data.length !== test.expected[i].data.length) {
          errorToBound = Infinity;
          return;
        }
        const e = measureError(
          t.data,
          test.expected[i].data,
          test.scale[i].data,
          test.roundings,
          'float32',
          test.floors,
        );
        maxAbsError = Math.max(maxAbsError, e.maxAbsError);
        errorToBound = Math.max(errorToBound, e.worstErrorToBound);
      });
      rows.push({ operation: test.operation, maxAbsError, errorToBound });
    }
  }
  return rows;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const modes = (process.argv.length > 2 ? process.argv.slice(2) : ['webasm', 'cpu']) as GpujsMode[];
  for (const mode of modes) {
    const { kernels, close } = await openGpujsKernels(mode);
    try {
      const rows = await measureArchitectureAccuracy(kernels);
      const worst = new Map<string, ArchitectureAccuracyRow>();
      for (const row of rows) {
        const kind = row.operation.split(' ')[0];
        if (!(row.errorToBound <= (worst.get(kind)?.errorToBound ?? -1))) worst.set(kind, row);
      }
      console.log(`gpujs:${mode}: worst error / bound per kernel over ${rows.length} cases`);
      for (const [kind, row] of worst)
        console.log(`  ${kind}: ${row.maxAbsError.toExponential(2)} (${row.errorToBound.toFixed(3)}) ${row.operation}`);
    } finally {
      await close();
    }
  }
}
