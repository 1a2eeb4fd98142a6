import type { DenoiserModel } from '../contract/types.js';
import { gaussianTensor } from '../random/gaussian.js';
import type { ScheduleSpec } from '../schedule/spec.js';
import type { Tensor } from '../tensor.js';
import { declareScaled } from './magnitudes.js';
import { DEFAULT_SETTING } from './setting.js';

// What `diffspec compare` feeds the operations; each says how it uses these (its `compare`, src/operations).

/** The shared inputs every backend gets: the same seeded noise (src/random), so outputs compare value by value. */
export interface CompareInputs {
  shape: number[];
  x0: Tensor;
  noise: Tensor;
  modelOutput: Tensor;
  /** Timesteps spread over 1..T, one per batch element, and earlier ones T / 20 before them (DDIM's skips). */
  t: number[];
  tPrev: number[];
  seed: number;
  schedule: LinearSchedule;
  /** The loops' length: forwardChain's t, sampleDdim's number of timesteps (at most T). */
  steps: number;
}

/** How large the inputs are, the schedule and the loops' length; the default schedule is Ho et al.'s T = 1000. */
export interface CompareSetting {
  seed: number;
  shape: readonly number[];
  T?: number;
  steps?: number;
}

/** The schedule the comparison runs on: Ho et al.'s betas linspace(1e-4, 0.02) over T steps. */
type LinearSchedule = Extract<ScheduleSpec, { kind: 'linear' | 'quadratic' }>;

export const compareSchedule = (T: number): LinearSchedule => ({ kind: 'linear', T, betaStart: 1e-4, betaEnd: 0.02 });

export function compareInputs(setting: CompareSetting): CompareInputs {
  const { seed, shape, T = DEFAULT_SETTING.T, steps = DEFAULT_SETTING.steps } = setting;
  const batch = shape[0];
  const t = Array.from({ length: batch }, (_, i) => 1 + Math.floor(((i + 0.5) * (T - 1)) / batch));
  const skip = Math.max(1, Math.round(T / 20));
  return {
    shape: [...shape],
    x0: gaussianTensor(shape, seed, 1),
    noise: gaussianTensor(shape, seed, 2),
    modelOutput: gaussianTensor(shape, seed, 3),
    t,
    tPrev: t.map((v) => Math.max(0, v - skip)),
    seed,
    schedule: compareSchedule(T),
    steps: Math.min(steps, T),
  };
}

/** `steps` timesteps from T down, evenly spaced: T, T - T/steps, ... (strictly descending for steps <= T). */
export const evenTimesteps = (T: number, steps: number) =>
  Array.from({ length: steps }, (_, k) => T - Math.floor((k * T) / steps));

/**
 * A fixed, deterministic stand-in denoiser for the sampling loops: eps-hat = 0.1 x_t. Linear in x_t, so the float64
 * reference carries x_t's running magnitude through it (declareScaled).
 */
export const linearModel: DenoiserModel = (xt) =>
  declareScaled({ shape: xt.shape, data: xt.data.map((v) => 0.1 * v) }, xt, 0.1);
