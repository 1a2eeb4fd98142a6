import { predictUploaded } from '../pipeline/reverse.js';
import { scoped } from '../pipeline/scope.js';
import { checkReverse, type ReverseArgs } from '../pipeline/validate.js';
import { roundingsFor } from '../speckit/tolerance.js';
import type { Tensor } from '../tensor.js';
import { defineOperation } from './operation.js';

export type PMeanVarianceArgs = ReverseArgs;
export interface PMeanVarianceResult {
  mean: Tensor;
  variance: Tensor;
  logVariance: Tensor;
  predX0: Tensor;
}

/** p(x_{t-1} | x_t) from the model output: its mean, variance and log-variance, and x0-hat (Ho et al. 2020, eq. 11). */
export const pMeanVariance = defineOperation<PMeanVarianceArgs, PMeanVarianceResult>()({
  method: 'pMeanVariance',
  caseName: 'p_mean_variance',
  capability: 'reverse',
  fields: { schedule: 'schedule', xt: 'tensor', t: 'timesteps', modelOutput: 'tensor', options: 'reverse options' },
  validate: (args: PMeanVarianceArgs, conventions) => ({ ...args, ...checkReverse(args, conventions) }),
  compose: (k, v) =>
    scoped(k, async (track) => {
      const p = await predictUploaded(k, track, v, v.t, v.o);
      return {
        mean: await k.download(await p.mean()),
        variance: await k.download(await p.variance()),
        logVariance: await k.download(await p.logVariance()),
        predX0: await k.download(p.predX0),
      };
    }),
  results: ['mean', 'variance', 'logVariance', 'predX0'],
  compare: {
    label: 'pMeanVariance mean',
    roundings: (p) => roundingsFor('pMean', p),
    output: 'mean',
    args: (s, i) => ({ schedule: s, xt: i.x0, t: i.t, modelOutput: i.modelOutput }),
  },
});
