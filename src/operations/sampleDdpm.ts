import type { DenoiserModel, ReverseOptions } from '../contract/types.js';
import { ancestralStep } from '../pipeline/reverse.js';
import { sampleLoop } from '../pipeline/sampleLoop.js';
import { normalNoise } from '../pipeline/scope.js';
import { checkSamplingRun } from '../pipeline/validate.js';
import type { ScheduleTables } from '../schedule/tables.js';
import type { Tensor } from '../tensor.js';
import { defineOperation } from './operation.js';

export interface SampleDdpmArgs {
  schedule: ScheduleTables;
  shape: readonly number[];
  model: DenoiserModel;
  seed: number;
  options?: ReverseOptions;
}

/** Ancestral sampling from x_T through t = T..1 (Ho et al. 2020, Algorithm 2); the step at t > 1 draws stream t. */
export const sampleDdpm = defineOperation<SampleDdpmArgs, Tensor>()({
  method: 'sampleDdpm',
  caseName: { unsupported: 'it calls a model, which a case file cannot carry' },
  capability: 'sampling',
  fields: { schedule: 'schedule', shape: 'shape', model: 'model', seed: 'integer', options: 'reverse options' },
  validate: (args: SampleDdpmArgs, conventions) => checkSamplingRun(args, conventions),
  compose(k, run) {
    const { shape, seed } = run;
    const timesteps = Array.from({ length: run.schedule.T }, (_, i) => run.schedule.T - i);
    return sampleLoop(k, run, timesteps, async (track, p, t, i) => {
      const step = timesteps[i];
      const z = step > 1 ? await normalNoise(k, shape, seed, step) : await k.fill(shape, new Float64Array(shape[0]));
      track(z);
      return ancestralStep(k, track, p, t, z);
    });
  },
  resultIsTensor: true,
  results: ['x0'],
  compare: { unsupported: 'it runs all T = 1000 steps; sampleDdim times the same loop' },
});
