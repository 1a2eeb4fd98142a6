import type { ProfileSpec } from '../conventions/profile.js';
import type { OPERATIONS } from '../operations/index.js';
import type { ArgsOf, ResultOf } from '../operations/operation.js';
import type { TrainingBackend } from './training.js';
import type { Capability, Precision } from './types.js';

// The public names of the arguments and results of the operations (src/index.ts exports them); a new
// operation's are ArgsOf<typeof op> and ResultOf<typeof op>, or its module's own.
export type { DdimReverseStepArgs, DdimReverseStepResult } from '../operations/ddimReverseStep.js';
export type { DdimStepArgs } from '../operations/ddimStep.js';
export type { DdpmStepArgs, StepResult } from '../operations/ddpmStep.js';
export type { ForwardChainArgs, ForwardChainResult } from '../operations/forwardChain.js';
export type { ForwardStepArgs } from '../operations/forwardStep.js';
export type { LossResult, LossSimpleArgs } from '../operations/lossSimple.js';
export type { ArgsOf, ResultOf } from '../operations/operation.js';
export type { PMeanVarianceArgs, PMeanVarianceResult } from '../operations/pMeanVariance.js';
export type { PosteriorResult, QPosteriorArgs } from '../operations/qPosterior.js';
export type { QSampleArgs } from '../operations/qSample.js';
export type { RandomNormalArgs } from '../operations/randomNormal.js';
export type { SampleDdimArgs } from '../operations/sampleDdim.js';
export type { SampleDdpmArgs } from '../operations/sampleDdpm.js';
export type { TimestepEmbeddingArgs } from '../operations/timestepEmbedding.js';
export type { Capability, DenoiserModel, DeviceDenoiser, Precision, ReverseOptions, Timesteps } from './types.js';
export { ALL_CAPABILITIES } from './types.js';

type Operations = (typeof OPERATIONS)[number];

/** One asynchronous method per operation of the table (src/operations), named and typed by its entry. */
export type OperationMethods = { [O in Operations as O['method']]: (args: ArgsOf<O>) => Promise<ResultOf<O>> };

/**
 * The contract every backend implements. Tensors cross it as shape + typed array (NCHW); every
 * operation may be asynchronous. The noise streams of the loops are fixed so that backends that use
 * the shared generator (src/random) agree on identical inputs: x_T draws stream 0 and the step from
 * timestep t draws stream t; forwardChain's step t draws stream t.
 */
export interface DiffusionBackend extends OperationMethods {
  readonly name: string;
  readonly precision: Precision;
  readonly capabilities: readonly Capability[];
  /** Free-form facts shown in reports, e.g. { engine: 'wasm' }. */
  readonly metadata?: Readonly<Record<string, string>>;
  /**
   * The conventions it follows where published implementations differ (docs/conventions.md): improved-diffusion when
   * absent. The checks compare it with the float64 reference under the same profile.
   */
  readonly profile?: ProfileSpec;

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
