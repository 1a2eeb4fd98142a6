import { cpuBackend } from '../../backends/cpu/index.js';
import { cpuKernels } from '../../backends/cpu/kernels.js';
import type { DdimStepArgs } from '../../src/contract/backend.js';
import { broken, type CheckName } from './broken.js';

const DDPM_STEP: CheckName =
  'reverse > a DDPM step adds sigma_t z to the mean (no noise at t = 1) for every prediction, variance and clip option';
const DDIM_STEP: CheckName =
  'reverse > a DDIM step follows eq. 12 for every option and eta in [0, 1], from t to any earlier timestep';
const DDIM_CLIPPED_EPS: CheckName =
  'reverse > a DDIM step follows eq. 12 for every option and eta in [0, 1], from t to any earlier timestep';
const P_MEAN_VARIANCE: CheckName =
  'reverse > p_mean_variance: x0^, the mean at x0^ and sigma^2 for every prediction, variance and clip option';

/**
 * DDIM with a buggy noise scale or eps, for the default eps
 * prediction without clipping (other options go to the reference).
 */
function ddimWith(sigmaOf: (ab: number, abPrev: number, eta: number) => number, useModelEpsWhenClipping: boolean) {
  return async (args: DdimStepArgs) => {
    const o = args.options ?? {};
    if ((o.prediction ?? 'eps') !== 'eps' || o.variance === 'learned_range' || (o.clip && !useModelEpsWhenClipping))
      return cpuBackend.ddimStep(args);
    const s = args.schedule;
    const { predX0 } = await cpuBackend.pMeanVariance({ ...args, options: { clip: o.clip } });
    const sigma = Float64Array.from(args.t, (u, n) => sigmaOf(s.alphaBar[u], s.alphaBar[args.tPrev[n]], o.eta ?? 0));
    const terms = [
      { x: predX0, coef: Float64Array.from(args.tPrev, (p) => Math.sqrt(s.alphaBar[p])) },
      {
        x: args.modelOutput,
        coef: Float64Array.from(args.tPrev, (p, n) => Math.sqrt(Math.max(0, 1 - s.alphaBar[p] - sigma[n] ** 2))),
      },
    ];
    if (args.noise) terms.push({ x: args.noise, coef: sigma });
    return { prev: cpuKernels.linear(terms), predX0 };
  };
}

export const brokenReverse = [
  broken('noise-at-last-step', 'the DDPM step adds noise at t = 1 too', DDPM_STEP, {
    async ddpmStep(args) {
      const r = await cpuBackend.pMeanVariance(args);
      const scaled = cpuKernels.multiply(cpuKernels.exp(r.logVariance, 0.5), args.noise);
      const ones = new Float64Array(args.xt.shape[0]).fill(1);
      return {
        prev: cpuKernels.linear([
          { x: r.mean, coef: ones },
          { x: scaled, coef: ones },
        ]),
        predX0: r.predX0,
      };
    },
  }),
  broken('ddim-sigma-squared', 'DDIM uses sigma^2 where sigma belongs (eq. 16 without its square roots)', DDIM_STEP, {
    ddimStep: ddimWith((ab, abPrev, eta) => eta * ((1 - abPrev) / (1 - ab)) * (1 - ab / abPrev), false),
  }),
  broken(
    'ddim-clip-keeps-model-eps',
    "DDIM with clipping keeps the model's eps instead of recomputing it from the clipped x0",
    DDIM_CLIPPED_EPS,
    {
      ddimStep: ddimWith(
        (ab, abPrev, eta) => eta * Math.sqrt((1 - abPrev) / (1 - ab)) * Math.sqrt(1 - ab / abPrev),
        true,
      ),
    },
  ),
  broken(
    'v-prediction-sign',
    'v-prediction recovers x0 as sqrt(ab) x_t + sqrt(1 - ab) v (sign flipped)',
    P_MEAN_VARIANCE,
    {
      async pMeanVariance(args) {
        if (args.options?.prediction !== 'v') return cpuBackend.pMeanVariance(args);
        const negated = { shape: args.modelOutput.shape, data: args.modelOutput.data.map((v) => -v) };
        return cpuBackend.pMeanVariance({ ...args, modelOutput: negated });
      },
    },
  ),
  broken('fixed-large-without-floor', 'fixed_large uses beta_1 at t = 1 instead of beta~_2', P_MEAN_VARIANCE, {
    async pMeanVariance(args) {
      const r = await cpuBackend.pMeanVariance(args);
      if (args.options?.variance !== 'fixed_large') return r;
      const variance = Float64Array.from(args.t, (u) => args.schedule.betas[u]);
      return {
        ...r,
        variance: cpuKernels.fill(args.xt.shape, variance),
        logVariance: cpuKernels.fill(args.xt.shape, variance.map(Math.log)),
      };
    },
  }),
];
