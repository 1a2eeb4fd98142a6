import type { DenoiserModel } from '../contract/types.js';
import { gaussianTensor } from '../random/gaussian.js';
import { DDPM_SCHEDULE } from '../schedule/spec.js';
import type { Tensor } from '../tensor.js';

// What `diffspec compare` feeds the operations; each says how it uses these (its `compare`, src/operations).

/** The shared inputs every backend gets: the same seeded noise (src/random), so outputs compare value by value. */
export interface CompareInputs {
  shape: number[];
  x0: Tensor;
  noise: Tensor;
  modelOutput: Tensor;
  t: number[];
  tPrev: number[];
  seed: number;
}

export function compareInputs(seed: number, batch: number, side: number): CompareInputs {
  const shape = [batch, 3, side, side];
  const t = Array.from({ length: batch }, (_, i) => 1 + Math.floor(((i + 0.5) * 999) / batch));
  return { shape, x0: gaussianTensor(shape, seed, 1), noise: gaussianTensor(shape, seed, 2), modelOutput: gaussianTensor(shape, seed, 3), t, tPrev: t.map((v) => Math.max(0, v - 50)), seed };
}

/** A fixed, deterministic stand-in denoiser for the sampling loops: eps-hat = 0.1 x_t. */
export const linearModel: DenoiserModel = (xt) => ({ shape: xt.shape, data: xt.data.map((v) => 0.1 * v) });

/** The schedule the comparison runs on: Ho et al.'s T = 1000. */
export const COMPARE_SCHEDULE = DDPM_SCHEDULE;
