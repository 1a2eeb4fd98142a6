import type { Tensor } from '../tensor.js';
import type { Capability, Precision } from './backend.js';
import type { TrainingKernels } from './training.js';

/** A value, or a Promise of it: what a kernel of an asynchronous engine (WebGPU readback, worker threads) returns. */
export type MaybePromise<T> = T | Promise<T>;

/**
 * What a kernel returns: with `Sync` true the value itself (an engine that computes within the call: the cpu
 * reference, tfjs, GPU.js on GL), otherwise possibly a Promise of it. The compositions in src/ await every
 * kernel, so both plug in; declaring a backend `Sync` keeps its kernels directly callable (wrappers, tests).
 */
export type KernelResult<T, Sync extends boolean> = Sync extends true ? T : MaybePromise<T>;

/** One term of a per-batch linear combination: coef[n] * x[n, ...]. */
export interface ScaledTerm<H> {
  x: H;
  coef: Float64Array;
}

/**
 * The small set of tensor kernels from which src/pipeline composes every diffusion operation, in the
 * manner of tfjs-core's kernel backends: the equations live once in src/, a backend only moves numbers.
 * `H` is the backend's own tensor handle (a typed array, a tf.Tensor, a GPU texture...), so data can stay
 * on the device between kernels. Per-batch coefficients arrive as float64; a float32 backend rounds them once.
 * Kernels may return Promises (see KernelResult); handles passed in must stay valid until the result resolves.
 */
export interface TensorKernels<H, Sync extends boolean = boolean> {
  readonly name: string;
  readonly precision: Precision;
  readonly metadata?: Readonly<Record<string, string>>;
  /** Capabilities to leave out (default: all of them). */
  readonly without?: readonly Capability[];

  upload(t: Tensor): KernelResult<H, Sync>;
  /**
   * upload for a tensor that does not change while its handle lives (a sampling model's weights): an engine that
   * compiles programs may bake it in. Absent: upload.
   */
  uploadFixed?(t: Tensor): KernelResult<H, Sync>;
  download(h: H): KernelResult<Tensor, Sync>;
  dispose(h: H): void;

  /** out[n, i] = bias[n] + sum_k terms[k].coef[n] * terms[k].x[n, i]; all terms share one shape, N = shape[0]. */
  linear(terms: readonly ScaledTerm<H>[], bias?: Float64Array): KernelResult<H, Sync>;
  /** out[n, i] = values[n] */
  fill(shape: readonly number[], values: Float64Array): KernelResult<H, Sync>;
  /** out = min(max(x, lo), hi) */
  clip(x: H, lo: number, hi: number): KernelResult<H, Sync>;
  /** out = exp(scale * x) */
  exp(x: H, scale: number): KernelResult<H, Sync>;
  /** out = a * b, elementwise */
  multiply(a: H, b: H): KernelResult<H, Sync>;
  /** Splits dimension 1 of an NCHW tensor into channels [0, c) and [c, end). */
  splitChannels(x: H, c: number): KernelResult<[H, H], Sync>;
  /** perSample[n] = mean_i (a[n, i] - b[n, i])^2, returned to the host. */
  meanSquaredErrorPerSample(a: H, b: H): KernelResult<Float64Array, Sync>;
  /** out[n, j] = cos(t[n] f[j]), out[n, half + j] = sin(t[n] f[j]), zero last column for odd dim. */
  sinusoidalEmbedding(t: Float64Array, frequencies: Float64Array, dim: number): KernelResult<H, Sync>;
  /** Device tensors alive now, for backends whose handles must be disposed (gives the 'memory' capability). */
  liveTensorCount?(): number;
  /** Standard normal noise; when absent the shared counter-based generator (src/random) is uploaded. */
  randomNormal?(shape: readonly number[], seed: number, stream: number): KernelResult<H, Sync>;
  /** The kernels of training (src/contract/training.ts); a backend without them lacks the 'training' capability. */
  readonly training?: TrainingKernels<H, Sync>;
}
