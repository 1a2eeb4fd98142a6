import type { AdamCoefficients, AdamHyperparameters } from '../equations/adam.js';
import type { GraphFragment } from '../models/graph.js';
import type { ModelSpec } from '../models/spec.js';
import type { ScheduleTables } from '../schedule/tables.js';
import type { Tensor } from '../tensor.js';
import type { ArchitectureKernels } from './architecture-kernels.js';
import type { DenoiserModel, Timesteps } from './backend.js';
import type { KernelResult } from './kernels.js';

export type Activation = 'relu' | 'gelu';

/** Gradients of a layer y = f(x; weight, bias) given dL/dy. */
export interface LayerGradients<H> {
  dx: H;
  dWeight: H;
  dBias: H;
}

/**
 * The kernels a backend implements to train. src/models composes them into networks and src/training
 * into L_simple gradients, Adam and EMA, so a backend only moves numbers, as with TensorKernels. Element-wise
 * sums (EMA, gradient scaling, dL/d output) reuse TensorKernels.linear. Handles passed in are never
 * modified, except by adamUpdate, which may update its inputs in place and return them. Results may be
 * Promises, as with TensorKernels (`Sync` true: never).
 */
export interface TrainingKernels<H, Sync extends boolean = boolean> {
  /**
   * y[n, o, i, j] = b[o] + sum_{c, u, v} w[o, c, u, v] x[n, c, i + u
   * - p, j + v - p] (zero outside): stride 1, square kernel, NCHW.
   */
  conv2d(x: H, weight: H, bias: H, padding: number): KernelResult<H, Sync>;
  conv2dBackward(x: H, weight: H, dOut: H, padding: number): KernelResult<LayerGradients<H>, Sync>;
  /** y[n, o] = b[o] + sum_i w[o, i] x[n, i]: weight [out, in], as torch.nn.Linear. */
  dense(x: H, weight: H, bias: H): KernelResult<H, Sync>;
  denseBackward(x: H, weight: H, dOut: H): KernelResult<LayerGradients<H>, Sync>;
  /** Element-wise activation (src/equations/activation.ts) and its backward dx = f'(x) dOut. */
  activation(kind: Activation, x: H): KernelResult<H, Sync>;
  activationBackward(kind: Activation, x: H, dOut: H): KernelResult<H, Sync>;
  /** Concatenates along dimension 1 (channels of NCHW, features of [N, D]); splitChannels undoes it. */
  concatChannels(a: H, b: H): KernelResult<H, Sync>;
  /** One Adam update (src/equations/adam.ts) of param with grad; may update param, m and v in place. */
  adamUpdate(param: H, grad: H, m: H, v: H, c: AdamCoefficients): KernelResult<{ param: H; m: H; v: H }, Sync>;
  /** sum_i x_i^2, returned to the host (gradient clipping). */
  sumOfSquares(x: H): KernelResult<number, Sync>;
  /** t ~ Uniform{1..T}, n draws; when absent the shared counter-based generator (src/random) is used. */
  randomTimesteps?(n: number, T: number, seed: number, stream: number): KernelResult<Int32Array, Sync>;
  /** The layers of U-Nets, attention and DiT; a backend without them lacks the 'architectures' capability. */
  readonly architecture?: ArchitectureKernels<H, Sync>;
}

/** Named parameter tensors in the order of the model's parameter list. */
export type Weights = Readonly<Record<string, Tensor>>;

export interface PredictArgs {
  model: ModelSpec;
  weights: Weights;
  x: Tensor;
  t: Timesteps;
  /** The schedule length: simple-conv sees t / T. */
  T: number;
  /** Class labels of a class-conditional model, 0..classes (classes: the null class); absent: the null class. */
  labels?: Int32Array;
}

export interface LossGradientArgs {
  model: ModelSpec;
  weights: Weights;
  schedule: ScheduleTables;
  x0: Tensor;
  t: Timesteps;
  noise: Tensor;
  /** As PredictArgs.labels. */
  labels?: Int32Array;
}

export interface LossGradientResult {
  loss: number;
  perSample: Tensor;
  gradients: Weights;
}

export interface AdamStepArgs {
  param: Tensor;
  grad: Tensor;
  m: Tensor;
  v: Tensor;
  /** 1-based step number k of the bias corrections 1 - beta^k. */
  step: number;
  hyper: AdamHyperparameters;
}

export interface TrainOptions {
  adam: AdamHyperparameters;
  /** Rescale the gradient to this global L2 norm when it is larger (off when absent). */
  clipGradNorm?: number;
  /** Keep an exponential moving average of the weights with this decay (off when absent). */
  emaDecay?: number;
  /**
   * Step k draws its timesteps from (seed, stream 2k) and its noise from (seed, stream 2k + 1); with labels and
   * pUncond, label n is dropped when value N + n of the uniform stream (seed, 2k) is below pUncond.
   */
  seed: number;
  /** Classifier-free guidance training: each label becomes the null class with this probability (default 0). */
  pUncond?: number;
}

/** Everything needed to continue training exactly where it stopped. */
export interface TrainerState {
  step: number;
  params: Weights;
  m: Weights;
  v: Weights;
  ema?: Weights;
}

export interface TrainStepResult {
  step: number;
  loss: number;
  /** The timesteps and noise this step drew (for specs and logs), and the labels it used after dropout. */
  t: Int32Array;
  labels?: Int32Array;
  noise: Tensor;
  /** Global gradient norm before clipping. */
  gradNorm: number;
}

export interface Trainer {
  /** One step of Algorithm 1 of Ho et al. 2020 on the batch x0 (with its class labels), then Adam (and EMA). */
  step(x0: Tensor, labels?: Int32Array): Promise<TrainStepResult>;
  state(): Promise<TrainerState>;
  dispose(): void;
}

/** The training half of a backend, composed once in src/training from TrainingKernels. */
export interface TrainingBackend {
  /** eps_theta(x, t): the model's output. */
  predict(args: PredictArgs): Promise<Tensor>;
  /**
   * The model as the sampling loops call it, with its weights uploaded once (not once per step, as predict
   * would): pass `model` to sampleDdpm/sampleDdim, then dispose().
   */
  denoiser(
    model: ModelSpec,
    weights: Weights,
    T: number,
    labels?: Int32Array,
  ): Promise<{ model: DenoiserModel; dispose(): void }>;
  /** L_simple on given x_0, t and noise, and its gradient for every parameter tensor. */
  lossAndGradients(args: LossGradientArgs): Promise<LossGradientResult>;
  /** t ~ Uniform{1..T}: the draw the trainer makes. */
  sampleTimesteps(n: number, T: number, seed: number, stream: number): Promise<Int32Array>;
  adamStep(args: AdamStepArgs): Promise<{ param: Tensor; m: Tensor; v: Tensor }>;
  createTrainer(
    model: ModelSpec,
    schedule: ScheduleTables,
    state: TrainerState,
    options: TrainOptions,
  ): Promise<Trainer>;
  /** Runs a network fragment forwards on these kernels (the layer specs): inputs uploaded, outputs downloaded. */
  runGraph(fragment: GraphFragment, inputs: Readonly<Record<string, Tensor>>): Promise<Record<string, Tensor>>;
}
