import type { Timesteps } from '../contract/types.js';
import { requireInput } from '../errors.js';
import { ddimCoefficients, ddimUpdate, predictUploaded } from '../pipeline/reverse.js';
import { scoped } from '../pipeline/scope.js';
import { checkLike, checkReverse, checkTimesteps, type ReverseArgs } from '../pipeline/validate.js';
import { roundingsFor } from '../speckit/tolerance.js';
import type { Tensor } from '../tensor.js';
import type { StepResult } from './ddpmStep.js';
import { defineOperation } from './operation.js';

export interface DdimStepArgs extends ReverseArgs {
  tPrev: Timesteps;
  noise?: Tensor;
}

/** One DDIM step x_t -> x_{tPrev}; noise is needed where sigma_t(eta) > 0 (Song et al. 2021, eq. 12). */
export const ddimStep = defineOperation<DdimStepArgs, StepResult>()({
  method: 'ddimStep',
  caseName: 'ddim_step',
  capability: 'reverse',
  fields: {
    schedule: 'schedule',
    xt: 'tensor',
    t: 'timesteps',
    tPrev: 'timesteps',
    modelOutput: 'tensor',
    noise: 'optional tensor',
    options: 'reverse options with eta',
  },
  validate(args: DdimStepArgs, conventions) {
    const { n, t, o } = checkReverse(args, conventions);
    const tPrev = checkTimesteps('tPrev', args.tPrev, args.schedule, n, conventions, 0);
    tPrev.forEach((tp, i) =>
      requireInput(tp < t[i], `tPrev[${i}]`, `must be below t[${i}] = ${args.t[i]}, got ${args.tPrev[i]}`),
    );
    if (args.noise !== undefined) checkLike('noise', args.noise, args.xt, 'xt');
    const c = ddimCoefficients(args.schedule, t, tPrev, o);
    requireInput(args.noise !== undefined || !c.sigma.some((x) => x > 0), 'noise', 'is required when eta > 0');
    return { ...args, t, o, c, noise: args.noise };
  },
  compose: (k, v) =>
    scoped(k, async (track) => {
      const p = await predictUploaded(k, track, v, v.t, v.o);
      const prev = await ddimUpdate(k, track, p, v.c, async () => track(await k.upload(v.noise!)));
      return { prev: await k.download(prev), predX0: await k.download(p.predX0) };
    }),
  results: ['prev', 'predX0'],
  compare: {
    label: 'ddimStep (eta 0)',
    roundings: (p) => roundingsFor('ddimStep', p),
    output: 'prev',
    args: (s, i) => ({ schedule: s, xt: i.x0, t: i.t, tPrev: i.tPrev, modelOutput: i.modelOutput }),
  },
});
