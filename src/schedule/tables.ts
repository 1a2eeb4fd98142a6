import {
  alphaBarFromAlphas,
  alphaFromBeta,
  logAlphaBarFromBetas,
  type NoiseLevel,
  oneMinusAlphaBarFromLog,
  signalToNoiseRatio,
} from '../equations/alphas.js';
import { clippedPosteriorLogVariance, posteriorMeanCoefficients, posteriorVariance } from '../equations/posterior.js';
import { DiffspecInputError } from '../errors.js';
import { cosineBetas } from './cosine.js';
import { linearBetas } from './linear.js';
import { quadraticBetas } from './quadratic.js';
import { sigmoidBetas } from './sigmoid.js';
import { COSINE_DEFAULT_MAX_BETA, COSINE_DEFAULT_S, type ScheduleSpec, SIGMOID_DEFAULT_RANGE } from './spec.js';

const SMALLEST_NORMAL = 2 ** -1022;

/**
 * Every per-timestep quantity, in float64, indexed by the paper's t: entry t is timestep t for t = 1..T
 * and entry 0 is t = 0 (x_0 is data: beta_0 = 0, alpha-bar_0 = 1). Arrays have length T + 1.
 */
export interface ScheduleTables {
  readonly T: number;
  readonly betas: Float64Array;
  readonly alphas: Float64Array;
  readonly alphaBar: Float64Array;
  /** log alpha-bar_t, summed with log1p. */
  readonly logAlphaBar: Float64Array;
  /** 1 - alpha-bar_t, computed as -expm1(log alpha-bar_t): accurate where alpha-bar_t is near 1. */
  readonly oneMinusAlphaBar: Float64Array;
  readonly posteriorVariance: Float64Array;
  readonly posteriorLogVarianceClipped: Float64Array;
  readonly posteriorMeanCoefX0: Float64Array;
  readonly posteriorMeanCoefXt: Float64Array;
  readonly snr: Float64Array;
}

/** The betas beta_1..beta_T of a schedule, in float64. */
export function scheduleBetas(spec: ScheduleSpec): Float64Array {
  if ('betas' in spec) return Float64Array.from(spec.betas);
  switch (spec.kind) {
    case 'linear':
      return linearBetas(spec.T, spec.betaStart, spec.betaEnd);
    case 'quadratic':
      return quadraticBetas(spec.T, spec.betaStart, spec.betaEnd);
    case 'cosine':
      return cosineBetas(spec.T, spec.s ?? COSINE_DEFAULT_S, spec.maxBeta ?? COSINE_DEFAULT_MAX_BETA);
    case 'sigmoid':
      return sigmoidBetas(
        spec.T,
        spec.betaStart,
        spec.betaEnd,
        spec.sigmoidStart ?? SIGMOID_DEFAULT_RANGE[0],
        spec.sigmoidEnd ?? SIGMOID_DEFAULT_RANGE[1],
      );
  }
}

/**
 * Derives all tables from beta_1..beta_T (each must lie in (0, 1), and alpha-bar_T must be a normal float64 number).
 */
export function tablesFromBetas(betasFrom1: ArrayLike<number>): ScheduleTables {
  const T = betasFrom1.length;
  if (T < 1) throw new DiffspecInputError('schedule.betas', 'needs at least one beta');
  const betas = new Float64Array(T + 1);
  for (let t = 1; t <= T; t++) {
    const b = betasFrom1[t - 1];
    if (!(b > 0 && b < 1)) throw new DiffspecInputError(`schedule.betas[${t - 1}]`, `must lie in (0, 1), got ${b}`);
    betas[t] = b;
  }
  const alphas = betas.map(alphaFromBeta);
  const alphaBar = alphaBarFromAlphas(alphas.subarray(1));
  // Beyond the normal range alpha-bar loses its relative precision, and at 0 the x_0 and eps predictions divide by 0.
  if (!(alphaBar[T] >= SMALLEST_NORMAL))
    throw new DiffspecInputError(
      'schedule',
      `alpha-bar_T = prod (1 - beta_t) = ${alphaBar[T]} is below 2^-1022, the smallest normal float64: use fewer steps or smaller betas`,
    );
  const logAlphaBar = logAlphaBarFromBetas(betas.subarray(1));
  const oneMinusAlphaBar = logAlphaBar.map(oneMinusAlphaBarFromLog);
  const level = (t: number): NoiseLevel => ({ alphaBar: alphaBar[t], oneMinusAlphaBar: oneMinusAlphaBar[t] });
  const posteriorVar = new Float64Array(T + 1);
  const coefX0 = new Float64Array(T + 1);
  const coefXt = new Float64Array(T + 1);
  const snr = new Float64Array(T + 1);
  snr[0] = Infinity;
  for (let t = 1; t <= T; t++) {
    posteriorVar[t] = posteriorVariance(betas[t], level(t - 1), level(t));
    const c = posteriorMeanCoefficients(betas[t], alphas[t], level(t - 1), level(t));
    coefX0[t] = c.x0;
    coefXt[t] = c.xt;
    snr[t] = signalToNoiseRatio(level(t));
  }
  const logClipped = new Float64Array(T + 1);
  for (let t = 1; t <= T; t++) logClipped[t] = clippedPosteriorLogVariance(posteriorVar, betas, t);
  return {
    T,
    betas,
    alphas,
    alphaBar,
    logAlphaBar,
    oneMinusAlphaBar,
    posteriorVariance: posteriorVar,
    posteriorLogVarianceClipped: logClipped,
    posteriorMeanCoefX0: coefX0,
    posteriorMeanCoefXt: coefXt,
    snr,
  };
}

/** alpha-bar_t and 1 - alpha-bar_t of a table, for the equations in src/equations. */
export function noiseLevel(s: ScheduleTables, t: number): NoiseLevel {
  return { alphaBar: s.alphaBar[t], oneMinusAlphaBar: s.oneMinusAlphaBar[t] };
}

export function scheduleTables(spec: ScheduleSpec): ScheduleTables {
  return tablesFromBetas(scheduleBetas(spec));
}
