import type { KernelResult } from './kernels.js';
import type { LayerGradients } from './training.js';

/**
 * The kernels the layers of U-Nets, attention and DiT (src/models/layers) are composed from. A backend
 * that implements them gains the 'architectures' capability; one that does not is reported as skipped for
 * those checks. Each kernel's formula is in src/equations; handles passed in are never modified.
 */
export interface ArchitectureKernels<H, Sync extends boolean = boolean> {
  /** The same values, row-major, under another shape of the same size. */
  reshape(x: H, shape: readonly number[]): KernelResult<H, Sync>;
  /** out[i_perm[0], ..., i_perm[r-1]] = x[i_0, ..., i_{r-1}]: out's dimension d is x's dimension perm[d]. */
  transpose(x: H, perm: readonly number[]): KernelResult<H, Sync>;
  /** out[b] = op(a[b]) op(c[b]) for [B, M, K] x [B, K, N] operands, op the transpose where asked. */
  batchMatMul(a: H, b: H, transposeA: boolean, transposeB: boolean): KernelResult<H, Sync>;
  /** Softmax of scale x over the last dimension, max subtracted (src/equations/softmax.ts). */
  softmax(x: H, scale: number): KernelResult<H, Sync>;
  /** dx of the softmax from its output y: scale y (dOut - sum(dOut y)) per row (src/equations/softmax.ts). */
  softmaxBackward(y: H, dOut: H, scale: number): KernelResult<H, Sync>;
  /** x as `rows` contiguous rows, each standardised: (x - mean) / sqrt(var + eps) (src/equations/normalization.ts). */
  normalize(x: H, rows: number, epsilon: number): KernelResult<H, Sync>;
  normalizeBackward(x: H, rows: number, epsilon: number, dOut: H): KernelResult<H, Sync>;
  /** Repeats x along its size-1 dimensions to `shape` (same rank), as numpy broadcasting. */
  broadcastTo(x: H, shape: readonly number[]): KernelResult<H, Sync>;
  /** The adjoint of broadcastTo: sums x over the dimensions where `shape` has size 1. */
  sumTo(x: H, shape: readonly number[]): KernelResult<H, Sync>;
  /** SiLU x sigmoid(x) and its backward (src/equations/activation.ts). */
  silu(x: H): KernelResult<H, Sync>;
  siluBackward(x: H, dOut: H): KernelResult<H, Sync>;
  /** conv2d (src/contract/training.ts) at every `stride`-th output position: y[.., i, j] = conv[.., s i, s j]. */
  stridedConv2d(x: H, weight: H, bias: H, padding: number, stride: number): KernelResult<H, Sync>;
  stridedConv2dBackward(
    x: H,
    weight: H,
    dOut: H,
    padding: number,
    stride: number,
  ): KernelResult<LayerGradients<H>, Sync>;
}
