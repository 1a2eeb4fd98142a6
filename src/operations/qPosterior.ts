import type { Timesteps } from '../contract/types.js';
import { perBatch } from '../pipeline/reverse.js';
import { scoped } from '../pipeline/scope.js';
import { checkBatch, checkLike, checkTimesteps } from '../pipeline/validate.js';
import type { ScheduleTables } from '../schedule/tables.js';
import { roundingsFor } from '../speckit/tolerance.js';
import type { Tensor } from '../tensor.js';
import { defineOperation } from './operation.js';

export interface QPosteriorArgs {
  schedule: ScheduleTables;
  x0: Tensor;
  xt: Tensor;
  t: Timesteps;
}
export interface PosteriorResult {
  mean: Tensor;
  variance: Tensor;
  logVarianceClipped: Tensor;
}

/** q(x_{t-1} | x_t, x_0): mean = c0 x_0 + ct x_t, variance beta-tilde_t (Ho et al. 2020, eq. 6-7). */
export const qPosterior = defineOperation<QPosteriorArgs, PosteriorResult>()({
  method: 'qPosterior',
  caseName: 'q_posterior',
  capability: 'forward',
  fields: { schedule: 'schedule', x0: 'tensor', xt: 'tensor', t: 'timesteps' },
  validate(args: QPosteriorArgs, conventions) {
    const n = checkBatch('x0', args.x0);
    checkLike('xt', args.xt, args.x0, 'x0');
    return { ...args, t: checkTimesteps('t', args.t, args.schedule, n, conventions) };
  },
  compose: (k, { schedule: s, x0, xt, t }) =>
    scoped(k, async (track) => {
      const terms = [
        { x: track(await k.upload(x0)), coef: perBatch(t, (ti) => s.posteriorMeanCoefX0[ti]) },
        { x: track(await k.upload(xt)), coef: perBatch(t, (ti) => s.posteriorMeanCoefXt[ti]) },
      ];
      const filled = async (table: Float64Array) =>
        k.download(
          track(
            await k.fill(
              x0.shape,
              perBatch(t, (ti) => table[ti]),
            ),
          ),
        );
      return {
        mean: await k.download(track(await k.linear(terms))),
        variance: await filled(s.posteriorVariance),
        logVarianceClipped: await filled(s.posteriorLogVarianceClipped),
      };
    }),
  results: ['mean', 'variance', 'logVarianceClipped'],
  compare: {
    label: 'qPosterior mean',
    roundings: (p) => roundingsFor('posteriorMean', p),
    output: 'mean',
    args: (s, i) => ({ schedule: s, x0: i.x0, xt: i.noise, t: i.t }),
  },
});
