import type { PredictionType } from '../equations/prediction.js';
import type { VarianceType } from '../equations/variance.js';
import type { Tensor } from '../tensor.js';

// The vocabulary shared by the contract (./backend.ts) and the operation table (src/operations), kept apart
// so that the table's modules and the contract derived from them do not import each other.

export type Precision = 'float64' | 'float32';

/**
 * What a backend can do. Spec checks declare the capabilities they need; a backend without one is
 * reported as skipped for those checks, never as passed. Each operation names the one it needs (src/operations).
 */
export type Capability =
  | 'schedule' // computes its own schedule tables
  | 'forward' // the forward process and its posterior
  | 'reverse' // single reverse-process steps
  | 'sampling' // the sampling loops
  | 'loss' // L_simple
  | 'embedding' // the timestep embedding
  | 'random' // the backend's own noise
  | 'training' // training: model forward/backward, L_simple gradients, Adam (src/contract/training.ts)
  | 'architectures' // training.architecture: the kernels of U-Net, attention and DiT layers
  | 'memory'; // liveTensorCount: counts the device tensors it holds, so leaks show

export const ALL_CAPABILITIES: readonly Capability[] = [
  'schedule',
  'forward',
  'reverse',
  'sampling',
  'loss',
  'embedding',
  'random',
  'training',
  'architectures',
  'memory',
];

/** Options of the reverse process. Defaults: eps, fixed_small, no clipping, eta = 0. */
export interface ReverseOptions {
  prediction?: PredictionType;
  variance?: VarianceType;
  clip?: boolean;
  eta?: number;
}

/**
 * A model as the sampling loops call it: x_t and one timestep (1..T) per batch element -> model output. A backend's
 * own network (TrainingBackend.denoiser) also carries `onDevice`, the same model on that backend's handles.
 */
export type DenoiserModel = ((xt: Tensor, t: Int32Array) => Tensor | Promise<Tensor>) & {
  readonly onDevice?: DeviceDenoiser;
};

/**
 * A model evaluated on a backend's kernels, on x_t where it lies: a sampling loop on those same kernels calls it
 * instead of the host form, so x_t and the output do not cross to the host and back between the model and the step
 * (a deferred engine, backends/ort, then computes the model and the step as one graph).
 */
export interface DeviceDenoiser<H = unknown> {
  /** The kernels whose handles `run` takes and returns (TensorKernels); a loop on any other calls the host form. */
  readonly kernels: object;
  /** The output for x_t of the given shape, a new handle the caller disposes. */
  run(xt: H, shape: readonly number[], t: Int32Array): Promise<H>;
}

/** Timesteps are the paper's, 1..T, one per batch element. */
export type Timesteps = readonly number[] | Int32Array;
