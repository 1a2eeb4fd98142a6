import type { DenoiserModel, ReverseOptions, Timesteps } from '../contract/types.js';
import type { ConventionFlags, Conventions } from '../conventions/profile.js';
import { backendTimestep, paperTimestep } from '../conventions/timesteps.js';
import type { PredictionType } from '../equations/prediction.js';
import type { VarianceType } from '../equations/variance.js';
import { DiffspecInputError, requireInput, shown } from '../errors.js';
import { checkSeed } from '../random/gaussian.js';
import type { ScheduleTables } from '../schedule/tables.js';
import { batchSize, checkSameShape, checkTensor, type Tensor } from '../tensor.js';

export const PREDICTION_TYPES: readonly PredictionType[] = ['eps', 'x0', 'v'];
export const VARIANCE_TYPES: readonly VarianceType[] = ['fixed_small', 'fixed_large', 'learned_range'];
const OPTION_KEYS = ['prediction', 'variance', 'clip', 'eta'];

/** The reverse options with their defaults, and the conventions of the backend's profile (src/conventions). */
export type ResolvedOptions = Required<ReverseOptions> & { conventions: Conventions };

function resolveOptions(options: ReverseOptions | undefined, conventions: Conventions): ResolvedOptions {
  const field = 'options';
  const o = (options ?? {}) as Record<string, unknown>;
  for (const key of Object.keys(o)) {
    if (!OPTION_KEYS.includes(key))
      throw new DiffspecInputError(`${field}.${key}`, `is not a known option (known: ${OPTION_KEYS.join(', ')})`);
  }
  const prediction = o.prediction ?? 'eps';
  const variance = o.variance ?? 'fixed_small';
  const clip = o.clip ?? false;
  const eta = o.eta ?? 0;
  requireInput(
    PREDICTION_TYPES.includes(prediction as PredictionType),
    `${field}.prediction`,
    `must be one of ${PREDICTION_TYPES.join(', ')}, got ${JSON.stringify(prediction)}`,
  );
  requireInput(
    VARIANCE_TYPES.includes(variance as VarianceType),
    `${field}.variance`,
    `must be one of ${VARIANCE_TYPES.join(', ')}, got ${JSON.stringify(variance)}`,
  );
  requireInput(typeof clip === 'boolean', `${field}.clip`, `must be true or false, got ${JSON.stringify(clip)}`);
  // eta > 1 would make 1 - ab_{t-1} - sigma^2 negative at some steps (src/equations/ddim.ts): an error, never a NaN.
  const etaMessage = `must be a number in [0, 1] (0: DDIM, 1: DDPM's variance), got ${JSON.stringify(eta)}`;
  requireInput(typeof eta === 'number' && eta >= 0 && eta <= 1, `${field}.eta`, etaMessage);
  return { prediction: prediction as PredictionType, variance: variance as VarianceType, clip, eta, conventions };
}

/**
 * Timesteps: one integer per batch element, each the backend's index (src/conventions/timesteps.ts) of a paper's t in
 * lo..T (lo = 1, or 0 where t = 0 is allowed); returned as the paper's t.
 */
export function checkTimesteps(
  field: string,
  t: Timesteps,
  schedule: ScheduleTables,
  n: number,
  c: ConventionFlags,
  lo = 1,
): Int32Array {
  requireInput(Array.isArray(t) || t instanceof Int32Array, field, 'must be an array of integers');
  requireInput(t.length === n, field, `has ${t.length} timesteps, the batch has ${n}`);
  const [min, max] = [backendTimestep(lo, c), backendTimestep(schedule.T, c)];
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const v = t[i];
    const detail = `must be an integer in ${min}..${max}, got ${shown(v)}`;
    requireInput(Number.isInteger(v) && v >= min && v <= max, `${field}[${i}]`, detail);
    out[i] = paperTimestep(v, c);
  }
  return out;
}

/** Validates x (finite, shaped) and returns its batch size. */
export function checkBatch(field: string, x: Tensor): number {
  checkTensor(field, x);
  requireInput(x.shape.length >= 1, `${field}.shape`, 'needs a batch dimension');
  return batchSize(x);
}

export function checkLike(field: string, x: Tensor, reference: Tensor, referenceField: string): void {
  checkTensor(field, x);
  checkSameShape(field, x, reference, referenceField);
}

/** The model output must match x_t, or for learned_range have twice its channels (dimension 1). */
export function checkModelOutput(field: string, out: Tensor, xt: Pick<Tensor, 'shape'>, variance: VarianceType): void {
  checkTensor(field, out);
  if (variance !== 'learned_range') {
    checkSameShape(field, out, xt, 'xt');
    return;
  }
  const expected = [...xt.shape];
  requireInput(expected.length >= 2, 'xt.shape', 'learned_range needs a channel dimension (NCHW or NC)');
  expected[1] *= 2;
  requireInput(
    out.shape.length === expected.length && out.shape.every((d, i) => d === expected[i]),
    `${field}.shape`,
    `is [${out.shape.join(', ')}]; learned_range needs [${expected.join(', ')}] (2C channels: output, then v in [-1, 1])`,
  );
}

export function checkShape(shape: readonly number[], field = 'shape'): void {
  const valid = Array.isArray(shape) && shape.length >= 1 && shape.every((d) => Number.isInteger(d) && d > 0);
  requireInput(valid, field, 'must be an array of positive integers');
}

/** The arguments every single reverse-process step shares. */
export interface ReverseArgs {
  schedule: ScheduleTables;
  xt: Tensor;
  t: Timesteps;
  modelOutput: Tensor;
  options?: ReverseOptions;
}

/** Checks the arguments of a reverse step; n is the batch size, t the timesteps, o the options with defaults. */
export function checkReverse(args: ReverseArgs, c: Conventions): { n: number; t: Int32Array; o: ResolvedOptions } {
  const n = checkBatch('xt', args.xt);
  const t = checkTimesteps('t', args.t, args.schedule, n, c);
  const o = resolveOptions(args.options, c);
  checkModelOutput('modelOutput', args.modelOutput, args.xt, o.variance);
  return { n, t, o };
}

/** What every sampling loop is given. */
export interface SamplingArgs {
  schedule: ScheduleTables;
  shape: readonly number[];
  model: DenoiserModel;
  seed: number;
  options?: ReverseOptions;
}

/** Checks what every sampling loop is given and resolves its options. */
export function checkSamplingRun<A extends SamplingArgs>(args: A, c: Conventions): A & { options: ResolvedOptions } {
  checkShape(args.shape);
  checkSeed(args.seed);
  return { ...args, options: resolveOptions(args.options, c) };
}
