// The layer kernels of U-Nets, attention and DiT (src/contract/architecture-kernels.ts) as GPU.js kernels over
// [rows, cols] tensors (types.ts), kept on the device between kernels as the training kernels are.
import type { ArchitectureKernels } from '../../src/contract/architecture-kernels.js';
import type { MaybePromise } from '../../src/contract/kernels.js';
import type { LayerGradients } from '../../src/contract/training.js';
import { sizeOf } from '../../src/tensor.js';
import { DIVIDE } from './indexing.js';
import type { GpujsRunner, GpujsTensor } from './types.js';

type Convolve = (
  x: GpujsTensor,
  weight: GpujsTensor,
  bias: GpujsTensor,
  padding: number,
  stride: number,
) => Promise<GpujsTensor>;
type ConvolveBackward = (
  x: GpujsTensor,
  weight: GpujsTensor,
  dOut: GpujsTensor,
  padding: number,
  stride: number,
) => Promise<LayerGradients<GpujsTensor>>;

/** The most dimensions the index kernels take: the layers reshape to at most 6 (patchify). */
const MAX_RANK = 6;

/** Flat indices a reshape across rows computes exactly in float32 (DIVIDE's range). */
const EXACT_FLAT_INDEX = 1 << 22;

const DIMENSIONS = Array.from({ length: MAX_RANK }, (_, d) => d);

/**
 * Source lines that split the flat index `flat` into indices `first`..5 of dimensions named `sizes`first..5
 * (row-major: index `first` the slowest, taken as what is left), the indices named `prefix`0..5.
 */
function decompose(flat: string, prefix: string, sizes: string, first: number): string {
  const lines = [`const ${prefix}q${MAX_RANK - 1} = ${flat};`];
  for (let d = MAX_RANK - 1; d > first; d--) {
    lines.push(`const ${prefix}q${d - 1} = ${DIVIDE(`${prefix}q${d}`, `${sizes}${d}`)};`);
    lines.push(`const ${prefix}${d} = ${prefix}q${d} - ${prefix}q${d - 1} * ${sizes}${d};`);
  }
  lines.push(`const ${prefix}${first} = ${prefix}q${first};`);
  return lines.join('\n  ');
}

const list = (prefix: string, from: number) => DIMENSIONS.slice(from).map((d) => `${prefix}${d}`);
const sum = (terms: string[]) => terms.join(' + ');

/** A per-row reduction over the `L` elements of statistic-row x of tensor row y, its terms from `term(v)`. */
const rowSum = (term: string) => `let sum = 0;
  for (let i = 0; i < L; i++) {
    const v = x[this.thread.y][this.thread.x * L + i];
    sum = sum + ${term};
  }`;

/** The column g of the row statistics ([d0, G]) that element x of a tensor row belongs to. */
const STATISTIC = `const g = ${DIVIDE('this.thread.x', 'L')};`;

/**
 * Kernel sources as text (see kernels.ts). A tensor [d0, d1, ...] is the matrix [d0, d1 d2 ...]; row statistics are
 * [d0, G] matrices, G rows of L elements per tensor row. Each reduction is a recursive sum over one row, in the order
 * of the float64 reference (src/equations), so its float32 error stays the recursive-sum bound of
 * src/speckit/tolerance.ts.
 */
const SOURCES = {
  // out[f] = x[f] for the flat index f = y outCols + x, read as row f / inCols of x
  reshapeRows: `function (x, outCols, inCols) {
  const f = this.thread.y * outCols + this.thread.x;
  const r = ${DIVIDE('f', 'inCols')};
  return x[r][f - r * inCols];
}`,
  // out[i0, ..., i5] = x[sum_d i_d r_d][sum_d i_d c_d]: a transpose or a broadcast, as strides per output dimension
  gather: `function (x, ${list('n', 1)}, ${list('r', 0)}, ${list('c', 0)}) {
  const i0 = this.thread.y;
  ${decompose('this.thread.x', 'i', 'n', 1)}
  return x[${sum(DIMENSIONS.map((d) => `i${d} * r${d}`))}][${sum(DIMENSIONS.map((d) => `i${d} * c${d}`))}];
}`,
  // out[i] = sum over j of the summed dimensions (sizes m_d, 1 elsewhere) of x[i0 + j0][sum_d (i_d + j_d) c_d]
  sumTo: `function (x, ${list('n', 1)}, ${list('m', 0)}, ${list('c', 1)}, S) {
  const i0 = this.thread.y;
  ${decompose('this.thread.x', 'i', 'n', 1)}
  let sum = 0;
  for (let s = 0; s < S; s++) {
    ${decompose('s', 'j', 'm', 0)}
    sum = sum + x[i0 + j0][${sum(list('', 1).map((d) => `(i${d} + j${d}) * c${d}`))}];
  }
  return sum;
}`,
  // out[b, i N + j] = sum_k a[b, i aI + k aK] c[b, k cK + j cJ]: op(A) op(C) with op set by the strides
  batchMatMul: `function (a, c, N, K, aI, aK, cK, cJ) {
  const i = ${DIVIDE('this.thread.x', 'N')};
  const j = this.thread.x - i * N;
  let sum = 0;
  for (let k = 0; k < K; k++) sum = sum + a[this.thread.y][i * aI + k * aK] * c[this.thread.y][k * cK + j * cJ];
  return sum;
}`,
  // max_j s x_j over a row
  rowMax: `function (x, L, scale) {
  let top = scale * x[this.thread.y][this.thread.x * L];
  for (let i = 1; i < L; i++) top = Math.max(top, scale * x[this.thread.y][this.thread.x * L + i]);
  return top;
}`,
  // sum_j exp(s x_j - max) over a row
  rowSumExp: `function (x, top, L, scale) {
  const t = top[this.thread.y][this.thread.x];
  ${rowSum('Math.exp(scale * v - t)')}
  return sum;
}`,
  // softmax(s x)_j = exp(s x_j - max) / sum (src/equations/softmax.ts)
  softmax: `function (x, top, total, L, scale) {
  ${STATISTIC}
  return Math.exp(scale * x[this.thread.y][this.thread.x] - top[this.thread.y][g]) / total[this.thread.y][g];
}`,
  // sum_j dy_j y_j over a row
  rowDot: `function (x, dy, L) {
  let sum = 0;
  for (let i = 0; i < L; i++) {
    const k = this.thread.x * L + i;
    sum = sum + dy[this.thread.y][k] * x[this.thread.y][k];
  }
  return sum;
}`,
  // dx_j = s y_j (dy_j - sum_k dy_k y_k)
  softmaxBackward: `function (y, dy, dot, L, scale) {
  ${STATISTIC}
  return scale * y[this.thread.y][this.thread.x] * (dy[this.thread.y][this.thread.x] - dot[this.thread.y][g]);
}`,
  // mu = sum_i x_i / L
  rowMean: `function (x, L) {
  ${rowSum('v')}
  return sum / L;
}`,
  // 1 / sqrt(sum_i (x_i - mu)^2 / L + eps): the centred second pass, as src/equations/normalization.ts
  rowInverseDeviation: `function (x, mean, L, epsilon) {
  const mu = mean[this.thread.y][this.thread.x];
  ${rowSum('(v - mu) * (v - mu)')}
  return 1 / Math.sqrt(sum / L + epsilon);
}`,
  // mean_i dy_i (x_i - mu) / sqrt(var + eps)
  rowMeanDyY: `function (x, dy, mean, inverseDeviation, L) {
  const mu = mean[this.thread.y][this.thread.x];
  const d = inverseDeviation[this.thread.y][this.thread.x];
  let sum = 0;
  for (let i = 0; i < L; i++) {
    const k = this.thread.x * L + i;
    sum = sum + dy[this.thread.y][k] * (x[this.thread.y][k] - mu) * d;
  }
  return sum / L;
}`,
  // y = (x - mu) / sqrt(var + eps)
  normalize: `function (x, mean, inverseDeviation, L) {
  ${STATISTIC}
  return (x[this.thread.y][this.thread.x] - mean[this.thread.y][g]) * inverseDeviation[this.thread.y][g];
}`,
  // dx = (dy - mean(dy) - y mean(dy y)) / sqrt(var + eps)
  normalizeBackward: `function (x, dy, mean, inverseDeviation, meanDy, meanDyY, L) {
  ${STATISTIC}
  const d = inverseDeviation[this.thread.y][g];
  const y = (x[this.thread.y][this.thread.x] - mean[this.thread.y][g]) * d;
  return (dy[this.thread.y][this.thread.x] - meanDy[this.thread.y][g] - y * meanDyY[this.thread.y][g]) * d;
}`,
  // x sigmoid(x) = x / (1 + exp(-x)) (src/equations/activation.ts)
  silu: `function (x) {
  const v = x[this.thread.y][this.thread.x];
  return v / (1 + Math.exp(-v));
}`,
  // sigmoid(x) (1 + x (1 - sigmoid(x))) dy
  siluBackward: `function (x, dy) {
  const v = x[this.thread.y][this.thread.x];
  const s = 1 / (1 + Math.exp(-v));
  return s * (1 + v * (1 - s)) * dy[this.thread.y][this.thread.x];
}`,
};

/** A shape padded with trailing 1s to MAX_RANK dimensions. */
function padded(shape: readonly number[]): number[] {
  if (shape.length > MAX_RANK) throw new Error(`gpujs: tensors of rank ${shape.length} exceed ${MAX_RANK}`);
  return [...shape, ...new Array<number>(MAX_RANK - shape.length).fill(1)];
}

/** Row-major strides of dimensions 1.. within a tensor row (dimension 0 is the row). */
function columnStrides(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length).fill(0);
  for (let d = shape.length - 1, s = 1; d >= 1; d--) {
    strides[d] = s;
    s *= shape[d];
  }
  return strides;
}

/**
 * GPU.js kernels of the U-Net, attention and DiT layers, sharing the runner of the TensorKernels; the strided
 * convolutions are the training kernels' im2col and matrix products (training.ts).
 */
export function gpujsArchitectureKernels(
  runner: GpujsRunner,
  convolve: Convolve,
  convolveBackward: ConvolveBackward,
): ArchitectureKernels<GpujsTensor> {
  const { argument, run } = runner;

  /** out[i] = x[sum_d i_d rowStride_d][sum_d i_d columnStride_d] over an output of `shape`. */
  function gather(x: GpujsTensor, shape: readonly number[], rowStrides: number[], colStrides: number[]) {
    const pad = (v: number[]) => [...v, ...new Array<number>(MAX_RANK - v.length).fill(0)];
    const args = [argument(x), ...padded(shape).slice(1), ...pad(rowStrides), ...pad(colStrides)];
    return run('gather', SOURCES.gather, shape, args);
  }

  function reshape(x: GpujsTensor, shape: readonly number[]): MaybePromise<GpujsTensor> {
    const rows = shape[0];
    const cols = sizeOf(shape) / rows;
    // Host arrays are never written after a kernel returns them, and a texture or buffer of as many rows is read
    // at the same [row][column]: the same values serve the new shape.
    if (!runner.resident) return { shape: [...shape], rows, cols, value: x.value };
    if (rows === x.rows) return runner.share(x, [...shape]);
    if (sizeOf(shape) >= EXACT_FLAT_INDEX)
      throw new Error(
        `gpujs: reshaping [${x.shape}] to [${shape}] regroups rows, exact in float32 below 2^22 elements`,
      );
    return run('reshapeRows', SOURCES.reshapeRows, shape, [argument(x), cols, x.cols]);
  }

  /**
   * f on x as `rows` statistic rows: G = rows / d0 of L elements in each tensor row, or, where a statistic row spans
   * tensor rows, on x regrouped as [rows, L], its result shaped back as x.
   */
  async function byStatisticRows(
    x: GpujsTensor,
    rows: number,
    others: GpujsTensor[],
    f: (x: GpujsTensor, others: GpujsTensor[], G: number, L: number) => Promise<GpujsTensor>,
  ): Promise<GpujsTensor> {
    const G = rows / x.rows;
    if (Number.isInteger(G)) return f(x, others, G, x.cols / G);
    const shape = [rows, sizeOf(x.shape) / rows];
    const regrouped = await Promise.all([x, ...others].map((t) => reshape(t, shape)));
    const y = await f(regrouped[0], regrouped.slice(1), 1, shape[1]);
    const out = await reshape(y, x.shape);
    for (const t of [...regrouped, y]) runner.dispose(t);
    return out;
  }

  /** Runs the statistic kernels (each [d0, G]) in order, the final kernel over x's shape, and frees the statistics. */
  async function withStatistics(
    statistics: ((previous: GpujsTensor[]) => MaybePromise<GpujsTensor>)[],
    final: (previous: GpujsTensor[]) => MaybePromise<GpujsTensor>,
  ): Promise<GpujsTensor> {
    const computed: GpujsTensor[] = [];
    for (const statistic of statistics) computed.push(await statistic(computed));
    const out = await final(computed);
    for (const t of computed) runner.dispose(t);
    return out;
  }

  return {
    reshape,

    transpose(x, perm) {
      const inStrides = columnStrides(x.shape);
      const shape = perm.map((d) => x.shape[d]);
      return gather(
        x,
        shape,
        perm.map((d) => Number(d === 0)),
        perm.map((d) => inStrides[d]),
      );
    },

    broadcastTo(x, shape) {
      const inStrides = columnStrides(x.shape);
      const kept = (d: number) => x.shape[d] !== 1 || shape[d] === 1;
      return gather(
        x,
        shape,
        shape.map((_, d) => Number(d === 0 && kept(0))),
        shape.map((_, d) => (kept(d) ? inStrides[d] : 0)),
      );
    },

    sumTo(x, shape) {
      const summed = padded(x.shape).map((size, d) => (d < shape.length && shape[d] === 1 ? size : 1));
      const args = [
        argument(x),
        ...padded(shape).slice(1),
        ...summed,
        ...padded(columnStrides(x.shape)).slice(1),
        sizeOf(summed),
      ];
      return run('sumTo', SOURCES.sumTo, shape, args);
    },

    batchMatMul(a, b, transposeA, transposeB) {
      const [batch, aRows, aCols] = a.shape;
      const [, bRows, bCols] = b.shape;
      const [M, K] = transposeA ? [aCols, aRows] : [aRows, aCols];
      const N = transposeB ? bRows : bCols;
      // op(A)[i, k] = a[i aI + k aK], op(B)[k, j] = b[k bK + j bJ]
      const [aI, aK] = transposeA ? [1, aCols] : [aCols, 1];
      const [bK, bJ] = transposeB ? [1, bCols] : [bCols, 1];
      return run('batchMatMul', SOURCES.batchMatMul, [batch, M, N], [argument(a), argument(b), N, K, aI, aK, bK, bJ]);
    },

    softmax(x, scale) {
      const L = x.shape[x.shape.length - 1];
      const G = x.cols / L;
      const arg = argument(x);
      return withStatistics(
        [
          () => run('rowMax', SOURCES.rowMax, [x.rows, G], [arg, L, scale]),
          ([top]) => run('rowSumExp', SOURCES.rowSumExp, [x.rows, G], [arg, argument(top), L, scale]),
        ],
        ([top, total]) => run('softmax', SOURCES.softmax, x.shape, [arg, argument(top), argument(total), L, scale]),
      );
    },

    softmaxBackward(y, dOut, scale) {
      const L = y.shape[y.shape.length - 1];
      const G = y.cols / L;
      const [ya, dy] = [argument(y), argument(dOut)];
      return withStatistics([() => run('rowDot', SOURCES.rowDot, [y.rows, G], [ya, dy, L])], ([dot]) =>
        run('softmaxBackward', SOURCES.softmaxBackward, y.shape, [ya, dy, argument(dot), L, scale]),
      );
    },

    normalize: (x, rows, epsilon) =>
      byStatisticRows(x, rows, [], (x, _, G, L) => {
        const arg = argument(x);
        return withStatistics(
          [
            () => run('rowMean', SOURCES.rowMean, [x.rows, G], [arg, L]),
            ([mean]) =>
              run('rowInverseDeviation', SOURCES.rowInverseDeviation, [x.rows, G], [arg, argument(mean), L, epsilon]),
          ],
          ([mean, deviation]) =>
            run('normalize', SOURCES.normalize, x.shape, [arg, argument(mean), argument(deviation), L]),
        );
      }),

    normalizeBackward: (x, rows, epsilon, dOut) =>
      byStatisticRows(x, rows, [dOut], (x, [dOut], G, L) => {
        const [arg, dy] = [argument(x), argument(dOut)];
        const statistic = [x.rows, G];
        return withStatistics(
          [
            () => run('rowMean', SOURCES.rowMean, statistic, [arg, L]),
            ([mean]) =>
              run('rowInverseDeviation', SOURCES.rowInverseDeviation, statistic, [arg, argument(mean), L, epsilon]),
            () => run('rowMean', SOURCES.rowMean, statistic, [dy, L]),
            ([mean, deviation]) =>
              run('rowMeanDyY', SOURCES.rowMeanDyY, statistic, [arg, dy, argument(mean), argument(deviation), L]),
          ],
          ([mean, deviation, meanDy, meanDyY]) =>
            run('normalizeBackward', SOURCES.normalizeBackward, x.shape, [
              arg,
              dy,
              ...[mean, deviation, meanDy, meanDyY].map(argument),
              L,
            ]),
        );
      }),

    silu: (x) => run('silu', SOURCES.silu, x.shape, [argument(x)]),
    siluBackward: (x, dOut) => run('siluBackward', SOURCES.siluBackward, x.shape, [argument(x), argument(dOut)]),

    stridedConv2d: convolve,
    stridedConv2dBackward: convolveBackward,
  };
}
