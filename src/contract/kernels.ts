import type { Capability, Precision } from './backend.js';
import type { Tensor } from '../tensor.js';
import type { TrainingKernels } from './training.js';

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
 */
export interface TensorKernels<H> {
  readonly name: string;
  readonly precision: Precision;
  readonly metadata?: Readonly<Record<string, string>>;
  /** Capabilities to leave out (default: all of them). */
  readonly without?: readonly Capability[];

  upload(t: Tensor): H;
  download(h: H): Tensor;
  dispose(h: H): void;

  /** out[n, i] = bias[n] + sum_k terms[k].coef[n] * terms[k].x[n, i]; all terms share one shape, N = shape[0]. */
  linear(terms: readonly ScaledTerm<H>[], bias?: Float64Array): H;
  /** out[n, i] = values[n] */
  fill(shape: readonly number[], values: Float64Array): H;
  /** out = min(max(x, lo), hi) */
  clip(x: H, lo: number, hi: number): H;
  /** out = exp(scale * x) */
  exp(x: H, scale: number): H;
  /** out = a * b, elementwise */
  multiply(a: H, b: H): H;
  /** Splits dimension 1 of an NCHW tensor into channels [0, c) and [c, end). */
  splitChannels(x: H, c: number): [H, H];
  /** perSample[n] = mean_i (a[n, i] - b[n, i])^2, returned to the host. */
  meanSquaredErrorPerSample(a: H, b: H): Float64Array;
  /** out[n, j] = cos(t[n] f[j]), out[n, half + j] = sin(t[n] f[j]), zero last column for odd dim. */
  sinusoidalEmbedding(t: Float64Array, frequencies: Float64Array, dim: number): H;
  /** Device tensors alive now, for backends whose handles must be disposed (gives the 'memory' capability). */
  liveTensorCount?(): number;
  /** Standard normal noise; when absent the shared counter-based generator (src/random) is uploaded. */
  randomNormal?(shape: readonly number[], seed: number, stream: number): H;
  /** The kernels of training (src/contract/training.ts); a backend without them lacks the 'training' capability. */
  readonly training?: TrainingKernels<H>;
}
