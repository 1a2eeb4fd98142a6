import type { TrainingKernels } from '../../src/contract/training.js';
import { gelu, geluDerivative } from '../../src/equations/activation.js';
import { adamUpdateInPlace } from '../../src/equations/adam.js';
import { sizeOf, type Tensor } from '../../src/tensor.js';
import { gemmNN, gemmNT, gemmTN } from './matmul.js';

const f64 = (t: Tensor) => t.data as Float64Array;

/** Geometry of a stride-1 square convolution. */
function convGeometry(x: Tensor, weight: Tensor, padding: number) {
  const [n, cin, height, width] = x.shape;
  const [cout, , size] = weight.shape;
  const outH = height + 2 * padding - size + 1;
  const outW = width + 2 * padding - size + 1;
  return { n, cin, height, width, cout, size, outH, outW, rows: cin * size * size, pixels: outH * outW };
}
type ConvGeometry = ReturnType<typeof convGeometry>;

/**
 * Visits the runs of one image that a convolution reads: for channel c, kernel offset (u, v) and output row i, the
 * image elements image[start + j] (offset + (c H + i + u - p) W + v - p + j) pair with the patch-matrix elements
 * cols[colStart + j] (((c S + u) S + v) Wo Ho + i Wo + j), for j in [jLo, jHi); rows that fall in the padding are skipped.
 * im2col copies along these runs and col2im, its adjoint, accumulates back along them; one call per run, the inner
 * element loop stays in the caller.
 */
function forEachPatchRun(g: ConvGeometry, padding: number, offset: number, visit: (imageStart: number, colStart: number, jLo: number, jHi: number) => void): void {
  for (let c = 0; c < g.cin; c++) {
    for (let u = 0; u < g.size; u++) {
      for (let v = 0; v < g.size; v++) {
        const row = ((c * g.size + u) * g.size + v) * g.pixels;
        const jLo = Math.max(0, padding - v);
        const jHi = Math.min(g.outW, g.width + padding - v);
        for (let i = 0; i < g.outH; i++) {
          const y = i + u - padding;
          if (y < 0 || y >= g.height) continue;
          visit(offset + (c * g.height + y) * g.width + v - padding, row + i * g.outW, jLo, jHi);
        }
      }
    }
  }
}

/** cols[(c S + u) S + v, i Wo + j] = x[c, i + u - p, j + v - p], zero outside: one image's patches as columns. */
function im2col(x: Float64Array, offset: number, g: ConvGeometry, padding: number, cols: Float64Array): void {
  cols.fill(0);
  forEachPatchRun(g, padding, offset, (src, dst, jLo, jHi) => {
    for (let j = jLo; j < jHi; j++) cols[dst + j] = x[src + j];
  });
}

/** The adjoint of im2col: dx[c, i + u - p, j + v - p] += dcols[(c S + u) S + v, i Wo + j]. */
function col2im(dcols: Float64Array, g: ConvGeometry, padding: number, dx: Float64Array, offset: number): void {
  forEachPatchRun(g, padding, offset, (dst, src, jLo, jHi) => {
    for (let j = jLo; j < jHi; j++) dx[dst + j] += dcols[src + j];
  });
}

/** Float64 training kernels: convolution through im2col and a blocked matrix product. */
export const cpuTrainingKernels: TrainingKernels<Tensor, true> = {
  conv2d(x, weight, bias, padding) {
    const g = convGeometry(x, weight, padding);
    const out = new Float64Array(g.n * g.cout * g.pixels);
    const cols = new Float64Array(g.rows * g.pixels);
    const b = f64(bias);
    for (let n = 0; n < g.n; n++) {
      im2col(f64(x), n * g.cin * g.height * g.width, g, padding, cols);
      const o = n * g.cout * g.pixels;
      for (let c = 0; c < g.cout; c++) out.fill(b[c], o + c * g.pixels, o + (c + 1) * g.pixels);
      gemmNN(g.cout, g.pixels, g.rows, f64(weight), 0, cols, 0, out, o);
    }
    return { shape: [g.n, g.cout, g.outH, g.outW], data: out };
  },

  conv2dBackward(x, weight, dOut, padding) {
    const g = convGeometry(x, weight, padding);
    const dx = new Float64Array(sizeOf(x.shape));
    const dWeight = new Float64Array(sizeOf(weight.shape));
    const dBias = new Float64Array(g.cout);
    const cols = new Float64Array(g.rows * g.pixels);
    const dcols = new Float64Array(g.rows * g.pixels);
    const dy = f64(dOut);
    for (let n = 0; n < g.n; n++) {
      const inOffset = n * g.cin * g.height * g.width;
      const o = n * g.cout * g.pixels;
      im2col(f64(x), inOffset, g, padding, cols);
      gemmNT(g.cout, g.rows, g.pixels, dy, o, cols, 0, dWeight, 0);
      for (let c = 0; c < g.cout; c++) {
        let s = 0;
        for (let p = o + c * g.pixels; p < o + (c + 1) * g.pixels; p++) s += dy[p];
        dBias[c] += s;
      }
      dcols.fill(0);
      gemmTN(g.rows, g.pixels, g.cout, f64(weight), 0, dy, o, dcols, 0);
      col2im(dcols, g, padding, dx, inOffset);
    }
    return { dx: { shape: x.shape, data: dx }, dWeight: { shape: weight.shape, data: dWeight }, dBias: { shape: [g.cout], data: dBias } };
  },

  dense(x, weight, bias) {
    const [n, inputs] = x.shape;
    const outputs = weight.shape[0];
    const out = new Float64Array(n * outputs);
    for (let i = 0; i < n; i++) out.set(f64(bias), i * outputs);
    gemmNT(n, outputs, inputs, f64(x), 0, f64(weight), 0, out, 0);
    return { shape: [n, outputs], data: out };
  },

  denseBackward(x, weight, dOut) {
    const [n, inputs] = x.shape;
    const outputs = weight.shape[0];
    const dx = new Float64Array(n * inputs);
    const dWeight = new Float64Array(outputs * inputs);
    const dBias = new Float64Array(outputs);
    const dy = f64(dOut);
    gemmNN(n, inputs, outputs, dy, 0, f64(weight), 0, dx, 0);
    gemmTN(outputs, inputs, n, dy, 0, f64(x), 0, dWeight, 0);
    for (let i = 0; i < n; i++) for (let o = 0; o < outputs; o++) dBias[o] += dy[i * outputs + o];
    return { dx: { shape: x.shape, data: dx }, dWeight: { shape: weight.shape, data: dWeight }, dBias: { shape: [outputs], data: dBias } };
  },

  activation(kind, x) {
    const v = f64(x);
    const out = new Float64Array(v.length);
    if (kind === 'relu') for (let i = 0; i < v.length; i++) out[i] = v[i] > 0 ? v[i] : 0;
    else for (let i = 0; i < v.length; i++) out[i] = gelu(v[i]);
    return { shape: x.shape, data: out };
  },

  activationBackward(kind, x, dOut) {
    const v = f64(x);
    const dy = f64(dOut);
    const out = new Float64Array(v.length);
    if (kind === 'relu') for (let i = 0; i < v.length; i++) out[i] = v[i] > 0 ? dy[i] : 0;
    else for (let i = 0; i < v.length; i++) out[i] = geluDerivative(v[i]) * dy[i];
    return { shape: x.shape, data: out };
  },

  concatChannels(a, b) {
    const n = a.shape[0];
    const inner = sizeOf(a.shape.slice(2));
    const ca = a.shape[1] * inner;
    const cb = b.shape[1] * inner;
    const out = new Float64Array(n * (ca + cb));
    for (let i = 0; i < n; i++) {
      out.set(f64(a).subarray(i * ca, (i + 1) * ca), i * (ca + cb));
      out.set(f64(b).subarray(i * cb, (i + 1) * cb), i * (ca + cb) + ca);
    }
    return { shape: [n, a.shape[1] + b.shape[1], ...a.shape.slice(2)], data: out };
  },

  adamUpdate(param, grad, m, v, c) {
    adamUpdateInPlace(f64(param), grad.data, f64(m), f64(v), c);
    return { param, m, v };
  },

  sumOfSquares(x) {
    let s = 0;
    for (const v of x.data) s += v * v;
    return s;
  },
};
