import { evenTimesteps, linearModel } from '../compare/operations.js';
import { requireInput } from '../errors.js';
import { ddimCoefficients, ddimUpdate } from '../pipeline/reverse.js';
import { sampleLoop } from '../pipeline/sampleLoop.js';
import { normalNoise } from '../pipeline/scope.js';
import { checkSamplingRun, checkTimesteps } from '../pipeline/validate.js';
import { loopRoundings, MODEL_OUTPUT_ROUNDINGS, roundingsFor } from '../speckit/tolerance.js';
import type { Tensor } from '../tensor.js';
import { defineOperation } from './operation.js';
import type { SampleDdpmArgs } from './sampleDdpm.js';

/** `timesteps`: descending, from 1..T (the profile's indexing); the last step goes to t = 0 (src/conventions). */
export interface SampleDdimArgs extends SampleDdpmArgs {
  timesteps: readonly number[];
}

/** DDIM sampling through `timesteps` (Song et al. 2021, eq. 12); the step from t draws stream t where sigma > 0. */
export const sampleDdim = defineOperation<SampleDdimArgs, Tensor>()({
  method: 'sampleDdim',
  caseName: { unsupported: 'it calls a model, which a case file cannot carry' },
  capability: 'sampling',
  fields: {
    schedule: 'schedule',
    shape: 'shape',
    model: 'model',
    seed: 'integer',
    timesteps: 'timesteps',
    options: 'reverse options with eta',
  },
  validate(args: SampleDdimArgs, conventions) {
    const run = checkSamplingRun(args, conventions);
    const { timesteps: given } = args;
    requireInput(Array.isArray(given) && given.length >= 1, 'timesteps', 'must be a non-empty array');
    const timesteps = Array.from(checkTimesteps('timesteps', given, args.schedule, given.length, conventions));
    timesteps.forEach((ti, i) => {
      requireInput(i === 0 || ti < timesteps[i - 1], `timesteps[${i}]`, 'timesteps must be strictly descending');
    });
    return { ...run, timesteps };
  },
  compose(k, run) {
    const { schedule: s, shape, seed, timesteps, options: o } = run;
    return sampleLoop(k, run, timesteps, (track, p, t, i) => {
      const tPrev = new Int32Array(shape[0]).fill(timesteps[i + 1] ?? 0);
      const noise = async () => track(await normalNoise(k, shape, seed, timesteps[i]));
      return ddimUpdate(k, track, p, ddimCoefficients(s, t, tPrev, o), noise);
    });
  },
  resultIsTensor: true,
  results: ['x0'],
  compare: {
    label: 'sampleDdim (eta 0)',
    drawsNoise: true,
    loop: true,
    roundings: (p, i) => loopRoundings(i.steps, roundingsFor('ddimStep', p) + MODEL_OUTPUT_ROUNDINGS),
    args: (s, i) => {
      const timesteps = evenTimesteps(s.T, i.steps);
      return { schedule: s, shape: i.shape, model: linearModel, seed: i.seed, timesteps };
    },
  },
});
