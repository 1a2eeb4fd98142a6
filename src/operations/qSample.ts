import type { Timesteps } from '../contract/types.js';
import { closedFormCoefficients } from '../equations/forward.js';
import { scoped } from '../pipeline/scope.js';
import { checkBatch, checkLike, checkTimesteps } from '../pipeline/validate.js';
import { noiseLevel, type ScheduleTables } from '../schedule/tables.js';
import { roundingsFor } from '../speckit/tolerance.js';
import type { Tensor } from '../tensor.js';
import { defineOperation } from './operation.js';

export interface QSampleArgs {
  schedule: ScheduleTables;
  x0: Tensor;
  noise: Tensor;
  t: Timesteps;
}

/** x_t = sqrt(alpha-bar_t) x_0 + sqrt(1 - alpha-bar_t) e (Ho et al. 2020, eq. 4). */
export const qSample = defineOperation<QSampleArgs, Tensor>()({
  method: 'qSample',
  caseName: 'q_sample',
  capability: 'forward',
  fields: { schedule: 'schedule', x0: 'tensor', noise: 'tensor', t: 'timesteps' },
  validate(args: QSampleArgs, conventions) {
    const n = checkBatch('x0', args.x0);
    checkLike('noise', args.noise, args.x0, 'x0');
    return { ...args, t: checkTimesteps('t', args.t, args.schedule, n, conventions) };
  },
  compose: (k, { schedule: s, x0, noise, t }) =>
    scoped(k, async (track) => {
      const c = Array.from(t, (ti) => closedFormCoefficients(noiseLevel(s, ti)));
      const terms = [
        { x: track(await k.upload(x0)), coef: Float64Array.from(c, (ci) => ci.signal) },
        { x: track(await k.upload(noise)), coef: Float64Array.from(c, (ci) => ci.noise) },
      ];
      return k.download(track(await k.linear(terms)));
    }),
  resultIsTensor: true,
  results: ['xt'],
  compare: {
    label: 'qSample',
    roundings: (p) => roundingsFor('qSample', p),
    args: (s, i) => ({ schedule: s, x0: i.x0, noise: i.noise, t: i.t }),
  },
});
