import type { Timesteps } from '../contract/types.js';
import { forwardStepCoefficients } from '../equations/forward.js';
import { scoped } from '../pipeline/scope.js';
import { checkBatch, checkLike, checkTimesteps } from '../pipeline/validate.js';
import type { ScheduleTables } from '../schedule/tables.js';
import { roundingsFor } from '../speckit/tolerance.js';
import type { Tensor } from '../tensor.js';
import { defineOperation } from './operation.js';

export interface ForwardStepArgs {
  schedule: ScheduleTables;
  xPrev: Tensor;
  noise: Tensor;
  t: Timesteps;
}

/** x_t = sqrt(1 - beta_t) x_{t-1} + sqrt(beta_t) z (Ho et al. 2020, eq. 2). */
export const forwardStep = defineOperation<ForwardStepArgs, Tensor>()({
  method: 'forwardStep',
  caseName: 'forward_step',
  capability: 'forward',
  fields: { schedule: 'schedule', xPrev: 'tensor', noise: 'tensor', t: 'timesteps' },
  validate(args: ForwardStepArgs, conventions) {
    const n = checkBatch('xPrev', args.xPrev);
    checkLike('noise', args.noise, args.xPrev, 'xPrev');
    return { ...args, t: checkTimesteps('t', args.t, args.schedule, n, conventions) };
  },
  compose: (k, { schedule: s, xPrev, noise, t }) =>
    scoped(k, async (track) => {
      const c = Array.from(t, (ti) => forwardStepCoefficients(s.betas[ti]));
      const terms = [
        { x: track(await k.upload(xPrev)), coef: Float64Array.from(c, (ci) => ci.signal) },
        { x: track(await k.upload(noise)), coef: Float64Array.from(c, (ci) => ci.noise) },
      ];
      return k.download(track(await k.linear(terms)));
    }),
  resultIsTensor: true,
  results: ['xt'],
  compare: {
    label: 'forwardStep',
    roundings: (p) => roundingsFor('forwardStep', p),
    args: (s, i) => ({ schedule: s, xPrev: i.x0, noise: i.noise, t: i.t }),
  },
});
