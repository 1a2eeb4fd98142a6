import { cpuBackend } from '../../backends/cpu/index.js';
import { cpuKernels } from '../../backends/cpu/kernels.js';
import { broken, type CheckName } from './broken.js';

const BAYES_RULE: CheckName = "posterior > posterior mean and variance equal Bayes' rule for the two Gaussians";

export const brokenPosterior = [
  broken('posterior-variance-is-beta', 'the posterior variance returns beta_t instead of beta~_t', BAYES_RULE, {
    async qPosterior(args) {
      const r = await cpuBackend.qPosterior(args);
      return {
        ...r,
        variance: cpuKernels.fill(
          args.x0.shape,
          Float64Array.from(args.t, (u) => args.schedule.betas[u]),
        ),
      };
    },
  }),
  broken('posterior-mean-coefficients-swapped', 'the posterior mean swaps the x_0 and x_t coefficients', BAYES_RULE, {
    qPosterior: (args) =>
      cpuBackend.qPosterior({
        ...args,
        schedule: {
          ...args.schedule,
          posteriorMeanCoefX0: args.schedule.posteriorMeanCoefXt,
          posteriorMeanCoefXt: args.schedule.posteriorMeanCoefX0,
        },
      }),
  }),
];
