import type { PredictionType } from '../equations/prediction.js';
import type { VarianceType } from '../equations/variance.js';
import type { ScheduleSpec } from '../schedule/spec.js';
import type { ScheduleTables } from '../schedule/tables.js';
import type { Tensor } from '../tensor.js';
import type { TrainingBackend } from './training.js';

export type Precision = 'float64' | 'float32';

/**
 * What a backend can do. Spec checks declare the capabilities they need; a backend without one is
 * reported as skipped for those checks, never as passed.
 */
export type Capability =
  | 'schedule' // computes its own schedule tables
  | 'forward' // forwardStep, forwardChain, qSample, qPosterior
  | 'reverse' // pMeanVariance, ddpmStep, ddimStep, ddimReverseStep
  | 'sampling' // sampleDdpm, sampleDdim
  | 'loss' // lossSimple
  | 'embedding' // timestepEmbedding
  | 'random' // randomNormal: the backend's own noise
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

/** A model as the sampling loops call it: x_t and one timestep (1..T) per batch element -> model output. */
export type DenoiserModel = (xt: Tensor, t: Int32Array) => Tensor | Promise<Tensor>;

/** Timesteps are the paper's, 1..T, one per batch element. */
export type Timesteps = readonly number[] | Int32Array;

export interface ForwardStepArgs { schedule: ScheduleTables; xPrev: Tensor; noise: Tensor; t: Timesteps }
export interface ForwardChainArgs {
  schedule: ScheduleTables; x0: Tensor; t: number; seed: number; recordAt?: readonly number[],
}
export interface QSampleArgs { schedule: ScheduleTables; x0: Tensor; noise: Tensor; t: Timesteps }
export interface QPosteriorArgs { schedule: ScheduleTables; x0: Tensor; xt: Tensor; t: Timesteps }
export interface PMeanVarianceArgs {
  schedule: ScheduleTables; xt: Tensor; t: Timesteps; modelOutput: Tensor; options?: ReverseOptions,
}
export interface DdpmStepArgs extends PMeanVarianceArgs { noise: Tensor }
export interface DdimStepArgs extends PMeanVarianceArgs { tPrev: Timesteps; noise?: Tensor }
export interface DdimReverseStepArgs extends PMeanVarianceArgs { tNext: Timesteps }
export interface SampleDdpmArgs {
  schedule: ScheduleTables; shape: readonly number[]; model: DenoiserModel; seed: number; options?: ReverseOptions,
}
/** `timesteps`: descending, from 1..T; the last step goes to t = 0 (alpha-bar = 1). */
export interface SampleDdimArgs extends SampleDdpmArgs { timesteps: readonly number[] }
export interface LossSimpleArgs {
  schedule: ScheduleTables; x0: Tensor; noise: Tensor; t: Timesteps; modelOutput: Tensor,
}
export interface TimestepEmbeddingArgs { t: readonly number[] | Float64Array; dim: number; maxPeriod?: number }
export interface RandomNormalArgs { shape: readonly number[]; seed: number; stream: number }

export interface ForwardChainResult { xt: Tensor; recorded: { t: number; x: Tensor }[] }
export interface PosteriorResult { mean: Tensor; variance: Tensor; logVarianceClipped: Tensor }
export interface PMeanVarianceResult { mean: Tensor; variance: Tensor; logVariance: Tensor; predX0: Tensor }
export interface StepResult { prev: Tensor; predX0: Tensor }
export interface LossResult { perSample: Tensor; loss: number }

/**
 * The contract every backend implements. Tensors cross it as shape + typed array (NCHW); every
 * operation may be asynchronous. The noise streams of the loops are fixed so that backends that use
 * the shared generator (src/random) agree on identical inputs: x_T draws stream 0 and the step from
 * timestep t draws stream t; forwardChain's step t draws stream t.
 */
export interface DiffusionBackend {
  readonly name: string;
  readonly precision: Precision;
  readonly capabilities: readonly Capability[];
  /** Free-form facts shown in reports, e.g. { engine: 'wasm' }. */
  readonly metadata?: Readonly<Record<string, string>>;

  schedule(spec: ScheduleSpec): Promise<ScheduleTables>;
  randomNormal(args: RandomNormalArgs): Promise<Tensor>;
  forwardStep(args: ForwardStepArgs): Promise<Tensor>;
  forwardChain(args: ForwardChainArgs): Promise<ForwardChainResult>;
  qSample(args: QSampleArgs): Promise<Tensor>;
  qPosterior(args: QPosteriorArgs): Promise<PosteriorResult>;
  pMeanVariance(args: PMeanVarianceArgs): Promise<PMeanVarianceResult>;
  ddpmStep(args: DdpmStepArgs): Promise<StepResult>;
  ddimStep(args: DdimStepArgs): Promise<StepResult>;
  ddimReverseStep(args: DdimReverseStepArgs): Promise<{ next: Tensor }>;
  sampleDdpm(args: SampleDdpmArgs): Promise<Tensor>;
  sampleDdim(args: SampleDdimArgs): Promise<Tensor>;
  lossSimple(args: LossSimpleArgs): Promise<LossResult>;
  timestepEmbedding(args: TimestepEmbeddingArgs): Promise<Tensor>;
  /** Present exactly when the backend declares the 'training' capability. */
  readonly training?: TrainingBackend;
  /**
   * Backends whose tensors live outside the JavaScript heap (tf.Tensor, GPU textures) must free them; this
   * counts the tensors alive now, so a spec can show the count is flat across operations (capability 'memory').
   */
  liveTensorCount?(): number;
  /** Releases native resources, if any. */
  dispose?(): Promise<void> | void;
}
