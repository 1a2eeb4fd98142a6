import { ancestralStep, predictUploaded } from '../pipeline/reverse.js';
import { scoped } from '../pipeline/scope.js';
import { checkLike, checkReverse, type ReverseArgs } from '../pipeline/validate.js';
import { roundingsFor } from '../speckit/tolerance.js';
import type { Tensor } from '../tensor.js';
import { defineOperation } from './operation.js';

export interface DdpmStepArgs extends ReverseArgs {
  noise: Tensor;
}
export interface StepResult {
  prev: Tensor;
  predX0: Tensor;
}

/** One ancestral step x_t -> x_{t-1} with the given noise (Ho et al. 2020, Algorithm 2). */
export const ddpmStep = defineOperation<DdpmStepArgs, StepResult>()({
  method: 'ddpmStep',
  caseName: 'ddpm_step',
  capability: 'reverse',
  fields: {
    schedule: 'schedule',
    xt: 'tensor',
    t: 'timesteps',
    modelOutput: 'tensor',
    noise: 'tensor',
    options: 'reverse options',
  },
  validate(args: DdpmStepArgs, conventions) {
    const checked = checkReverse(args, conventions);
    checkLike('noise', args.noise, args.xt, 'xt');
    return { ...args, ...checked };
  },
  compose: (k, v) =>
    scoped(k, async (track) => {
      const p = await predictUploaded(k, track, v, v.t, v.o);
      const prev = await ancestralStep(k, track, p, v.t, track(await k.upload(v.noise)));
      return { prev: await k.download(prev), predX0: await k.download(p.predX0) };
    }),
  results: ['prev', 'predX0'],
  compare: {
    label: 'ddpmStep',
    roundings: (p) => roundingsFor('ddpmStep', p),
    output: 'prev',
    args: (s, i) => ({ schedule: s, xt: i.x0, t: i.t, modelOutput: i.modelOutput, noise: i.noise }),
  },
});
