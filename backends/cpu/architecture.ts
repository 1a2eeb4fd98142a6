import type { ArchitectureKernels } from '../../src/contract/architecture-kernels.js';
import { silu, siluDerivative } from '../../src/equations/activation.js';
import { normalizeRow, normalizeRowBackward } from '../../src/equations/normalization.js';
import { softmaxRow, softmaxRowBackward } from '../../src/equations/softmax.js';
import { sizeOf, type Tensor } from '../../src/tensor.js';
import { convolve, convolveBackward } from './convolution.js';
import { gemmNN, gemmNT, gemmTN, transpose } from './matmul.js';

const f64 = (t: Tensor) => t.data as Float64Array;

/** Row-major strides of a shape. */
function stridesOf(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length);
  for (let d = shape.length - 1, s = 1; d >= 0; d--) {
    strides[d] = s;
    s *= shape[d];
  }
  return strides;
}

/**
 * Calls visit(i, j) for every element i of `shape` with j the element of x it reads: x's strides per dimension
 * of the output are `sourceStrides` (0 where x is broadcast).
 */
function forEachIndex(
  shape: readonly number[],
  sourceStrides: readonly number[],
  visit: (i: number, j: number) => void,
): void {
  const rank = shape.length;
  const index = new Array<number>(rank).fill(0);
  const total = sizeOf(shape);
  let j = 0;
  for (let i = 0; i < total; i++) {
    visit(i, j);
    for (let d = rank - 1; d >= 0; d--) {
      index[d]++;
      j += sourceStrides[d];
      if (index[d] < shape[d]) break;
      j -= sourceStrides[d] * shape[d];
      index[d] = 0;
    }
  }
}

/** x's strides seen from a broadcast output: zero along x's size-1 dimensions. */
const broadcastStrides = (x: readonly number[]) => stridesOf(x).map((s, d) => (x[d] === 1 ? 0 : s));

/** Float64 kernels of the U-Net, attention and DiT layers, on plain typed arrays. */
export const cpuArchitectureKernels: ArchitectureKernels<Tensor, true> = {
  reshape: (x, shape) => ({ shape: [...shape], data: x.data }),

  transpose(x, perm) {
    const shape = perm.map((d) => x.shape[d]);
    const strides = stridesOf(x.shape);
    const out = new Float64Array(x.data.length);
    const source = f64(x);
    forEachIndex(
      shape,
      perm.map((d) => strides[d]),
      (i, j) => (out[i] = source[j]),
    );
    return { shape, data: out };
  },

  batchMatMul(a, b, transposeA, transposeB) {
    const [batch, aRows, aCols] = a.shape;
    const [, bRows, bCols] = b.shape;
    const [m, k] = transposeA ? [aCols, aRows] : [aRows, aCols];
    const n = transposeB ? bRows : bCols;
    const out = new Float64Array(batch * m * n);
    const scratch = new Float64Array(m * k);
    for (let i = 0; i < batch; i++) {
      const [ao, bo, co] = [i * aRows * aCols, i * bRows * bCols, i * m * n];
      if (!transposeA && !transposeB) gemmNN(m, n, k, f64(a), ao, f64(b), bo, out, co);
      else if (!transposeA) gemmNT(m, n, k, f64(a), ao, f64(b), bo, out, co);
      else if (!transposeB) gemmTN(m, n, k, f64(a), ao, f64(b), bo, out, co);
      else gemmNT(m, n, k, transpose(f64(a), ao, aRows, aCols, scratch), 0, f64(b), bo, out, co);
    }
    return { shape: [batch, m, n], data: out };
  },

  softmax(x, scale) {
    const length = x.shape[x.shape.length - 1];
    const out = new Float64Array(x.data.length);
    for (let o = 0; o < out.length; o += length) softmaxRow(x.data, o, length, scale, out);
    return { shape: x.shape, data: out };
  },

  softmaxBackward(y, dOut, scale) {
    const length = y.shape[y.shape.length - 1];
    const out = new Float64Array(y.data.length);
    for (let o = 0; o < out.length; o += length) softmaxRowBackward(y.data, dOut.data, o, length, scale, out);
    return { shape: y.shape, data: out };
  },

  normalize(x, rows, epsilon) {
    const length = x.data.length / rows;
    const out = new Float64Array(x.data.length);
    for (let r = 0; r < rows; r++) normalizeRow(x.data, r * length, length, epsilon, out);
    return { shape: x.shape, data: out };
  },

  normalizeBackward(x, rows, epsilon, dOut) {
    const length = x.data.length / rows;
    const out = new Float64Array(x.data.length);
    for (let r = 0; r < rows; r++) normalizeRowBackward(x.data, dOut.data, r * length, length, epsilon, out);
    return { shape: x.shape, data: out };
  },

  broadcastTo(x, shape) {
    const out = new Float64Array(sizeOf(shape));
    const source = f64(x);
    forEachIndex(shape, broadcastStrides(x.shape), (i, j) => (out[i] = source[j]));
    return { shape: [...shape], data: out };
  },

  sumTo(x, shape) {
    const out = new Float64Array(sizeOf(shape));
    const source = f64(x);
    forEachIndex(x.shape, broadcastStrides(shape), (i, j) => (out[j] += source[i]));
    return { shape: [...shape], data: out };
  },

  silu: (x) => ({ shape: x.shape, data: Float64Array.from(x.data, silu) }),
  siluBackward: (x, dOut) => ({
    shape: x.shape,
    data: Float64Array.from(x.data, (v, i) => siluDerivative(v) * dOut.data[i]),
  }),

  stridedConv2d: convolve,
  stridedConv2dBackward: convolveBackward,
};
