import type { Timesteps } from '../contract/backend.js';
import type {
  AdamStepArgs,
  LossGradientArgs,
  PredictArgs,
  TrainerState,
  TrainOptions,
  Weights,
} from '../contract/training.js';
import { DEFAULT_CONVENTIONS } from '../conventions/profile.js';
import { requireInput } from '../errors.js';
import { architectureOf, type ModelSpec } from '../models/spec.js';
import { checkWeights } from '../models/weights.js';
import { checkBatch, checkLike, checkTimesteps } from '../pipeline/validate.js';
import { checkSeed } from '../random/gaussian.js';
import type { ScheduleTables } from '../schedule/tables.js';
import { sameShape, type Tensor } from '../tensor.js';
import { checkLabels } from './labels.js';
import { checkTrainOptions } from './options.js';

/**
 * The arguments of the training contract's operations (src/contract/training.ts), checked before any work, each
 * error naming its field: once for every backend, whether its operations are composed from kernels (compose.ts) or
 * answered by a program (src/process/training.ts).
 */

/** The batch size of items `x` of this model ([N, ...item shape]). */
export function checkItems(model: ModelSpec, x: Tensor, field: string): number {
  checkBatch(field, x);
  return checkItemShape(model, x.shape, field);
}

/** The batch size N of a shape [N, ...item shape] this model takes. */
function checkItemShape(model: ModelSpec, shape: readonly number[], field: string): number {
  const item = architectureOf(model).itemShape(model);
  requireInput(
    shape.length >= 1 && sameShape(shape.slice(1), item),
    `${field}.shape`,
    `is [${shape.join(', ')}], this ${model.architecture} model takes [N, ${item.join(', ')}]`,
  );
  return shape[0];
}

/** The weights and schedule length of a denoiser (predict's model, weights and T). */
export function checkDenoiser(model: ModelSpec, weights: Weights, T: number): void {
  checkWeights(model, weights);
  requireInput(Number.isInteger(T) && T >= 1, 'T', `must be an integer >= 1, got ${T}`);
}

/** The training contract keeps the paper's timesteps 1..T whatever profile a backend declares (docs/conventions.md). */
const TRAINING_CONVENTIONS = DEFAULT_CONVENTIONS;

/** One call of a denoiser: its timesteps and labels in working form. */
export function checkDenoiserCall(model: ModelSpec, T: number, x: Tensor, t: Timesteps, labels?: Int32Array) {
  checkBatch('x', x);
  return checkDenoiserInput(model, T, x.shape, t, labels);
}

/** One call of a denoiser on an input of `shape` already on a backend's device. */
export function checkDenoiserInput(
  model: ModelSpec,
  T: number,
  shape: readonly number[],
  t: Timesteps,
  labels?: Int32Array,
) {
  const n = checkItemShape(model, shape, 'x');
  return {
    t: checkTimesteps('t', t, { T } as ScheduleTables, n, TRAINING_CONVENTIONS),
    labels: labels && checkLabels(model, labels, n),
  };
}

export function checkPredictArgs({ model, weights, x, t, T, labels }: PredictArgs) {
  checkDenoiser(model, weights, T);
  return checkDenoiserCall(model, T, x, t, labels);
}

export function checkLossArgs({ model, weights, schedule, x0, t, noise, labels }: LossGradientArgs) {
  checkWeights(model, weights);
  const n = checkItems(model, x0, 'x0');
  checkLike('noise', noise, x0, 'x0');
  const ts = checkTimesteps('t', t, schedule, n, TRAINING_CONVENTIONS);
  return { n, t: ts, labels: labels && checkLabels(model, labels, n) };
}

export function checkAdamArgs({ param, grad, m, v, step, hyper }: AdamStepArgs): void {
  checkLike('grad', grad, param, 'param');
  checkLike('m', m, param, 'param');
  checkLike('v', v, param, 'param');
  requireInput(Number.isInteger(step) && step >= 1, 'step', `must be an integer >= 1, got ${step}`);
  checkTrainOptions({ adam: hyper, seed: 0 });
}

export function checkSampleTimestepsArgs(n: number, T: number, seed: number): void {
  requireInput(Number.isInteger(n) && n >= 1, 'n', `must be an integer >= 1, got ${n}`);
  requireInput(Number.isInteger(T) && T >= 1, 'T', `must be an integer >= 1, got ${T}`);
  checkSeed(seed);
}

export function checkTrainerStart(model: ModelSpec, state: TrainerState, options: TrainOptions): void {
  checkTrainOptions(options);
  checkWeights(model, state.params, 'state.params');
  checkWeights(model, state.m, 'state.m');
  checkWeights(model, state.v, 'state.v');
  if (options.emaDecay !== undefined && state.ema) checkWeights(model, state.ema, 'state.ema');
  requireInput(
    Number.isInteger(state.step) && state.step >= 0,
    'state.step',
    `must be an integer >= 0, got ${state.step}`,
  );
}

/** The step a trainer takes next (1-based), within the noise streams 2k and 2k + 1 allow. */
export function nextStep(step: number): number {
  const next = step + 1;
  requireInput(2 * next + 1 < 2 ** 32, 'step', 'exceeds the 2^31 steps the noise streams allow');
  return next;
}
