import type { LayerGradients } from '../../src/contract/training.js';
import { sizeOf, type Tensor } from '../../src/tensor.js';
import { gemmNN, gemmNT, gemmTN } from './matmul.js';

const f64 = (t: Tensor) => t.data as Float64Array;

/** Geometry of a square convolution with the given stride. */
function convGeometry(x: Tensor, weight: Tensor, padding: number, stride: number) {
  const [n, cin, height, width] = x.shape;
  const [cout, , size] = weight.shape;
  const outH = Math.floor((height + 2 * padding - size) / stride) + 1;
  const outW = Math.floor((width + 2 * padding - size) / stride) + 1;
  return { n, cin, height, width, cout, size, stride, outH, outW, rows: cin * size * size, pixels: outH * outW };
}
type ConvGeometry = ReturnType<typeof convGeometry>;

/**
 * Visits the runs of one image that a convolution of stride s reads: for channel c, kernel offset (u, v) and output
 * row i, the image elements image[start + s j] (offset + (c H + s i + u - p) W + v - p + s j) pair with the
 * patch-matrix elements cols[colStart + j] (((c S + u) S + v) Wo Ho + i Wo + j), for j in [jLo, jHi); rows that fall
 * in the padding are skipped.
 * im2col copies along these runs and col2im, its adjoint, accumulates back along them; one call per run, the inner
 * element loop stays in the caller.
 */
function forEachPatchRun(
  g: ConvGeometry,
  padding: number,
  offset: number,
  visit: (imageStart: number, colStart: number, jLo: number, jHi: number) => void,
): void {
  for (let c = 0; c < g.cin; c++) {
    for (let u = 0; u < g.size; u++) {
      for (let v = 0; v < g.size; v++) {
        const row = ((c * g.size + u) * g.size + v) * g.pixels;
        const jLo = Math.max(0, Math.ceil((padding - v) / g.stride));
        const jHi = Math.min(g.outW, Math.floor((g.width - 1 + padding - v) / g.stride) + 1);
        for (let i = 0; i < g.outH; i++) {
          const y = g.stride * i + u - padding;
          if (y < 0 || y >= g.height) continue;
          visit(offset + (c * g.height + y) * g.width + v - padding, row + i * g.outW, jLo, jHi);
        }
      }
    }
  }
}

/** cols[(c S + u) S + v, i Wo + j] = x[c, s i + u - p, s j + v - p], zero outside: one image's patches as columns. */
function im2col(x: Float64Array, offset: number, g: ConvGeometry, padding: number, cols: Float64Array): void {
  cols.fill(0);
  const s = g.stride;
  forEachPatchRun(g, padding, offset, (src, dst, jLo, jHi) => {
    for (let j = jLo; j < jHi; j++) cols[dst + j] = x[src + s * j];
  });
}

/** The adjoint of im2col: dx[c, s i + u - p, s j + v - p] += dcols[(c S + u) S + v, i Wo + j]. */
function col2im(dcols: Float64Array, g: ConvGeometry, padding: number, dx: Float64Array, offset: number): void {
  const s = g.stride;
  forEachPatchRun(g, padding, offset, (dst, src, jLo, jHi) => {
    for (let j = jLo; j < jHi; j++) dx[dst + s * j] += dcols[src + j];
  });
}

/** y = conv(x) at every stride-th position (TrainingKernels.conv2d, ArchitectureKernels.stridedConv2d). */
export function convolve(x: Tensor, weight: Tensor, bias: Tensor, padding: number, stride: number): Tensor {
  const g = convGeometry(x, weight, padding, stride);
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
}

/** The gradients of convolve. */
export function convolveBackward(
  x: Tensor,
  weight: Tensor,
  dOut: Tensor,
  padding: number,
  stride: number,
): LayerGradients<Tensor> {
  const g = convGeometry(x, weight, padding, stride);
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
  return {
    dx: { shape: x.shape, data: dx },
    dWeight: { shape: weight.shape, data: dWeight },
    dBias: { shape: [g.cout], data: dBias },
  };
}
