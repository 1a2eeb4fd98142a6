// A profile never hides a bug: each backend here declares the diffusers profile (src/conventions/profile.ts) and
// follows it except in one place, which the named check catches while the checks follow the profile: a real bug (a
// wrong index, noise, eta or interpolation), or one of improved-diffusion's choices where the declared profile makes
// diffusers'.
import { cpuDiffusersBackend as diffusers } from '../../backends/cpu/diffusers.js';
import { cpuKernels } from '../../backends/cpu/kernels.js';
import type { DiffusionBackend } from '../../src/contract/backend.js';
import { composeBackend } from '../../src/pipeline/compose.js';
import { broken, type CheckName } from './broken.js';

const CLOSED_FORM: CheckName = 'forward > closed form q(x_t | x_0) is sqrt(alpha-bar_t) x_0 + sqrt(1 - alpha-bar_t) e';
const DDPM_STEP: CheckName =
  'reverse > a DDPM step adds sigma_t z to the mean (no noise at t = 1) for every prediction, variance and clip option';
const DDIM_STEP: CheckName =
  'reverse > a DDIM step follows eq. 12 for every option and eta in [0, 1], from t to any earlier timestep';
const P_MEAN_VARIANCE: CheckName =
  'reverse > p_mean_variance: x0^, the mean at x0^ and sigma^2 for every prediction, variance and clip option';
const LEARNED_RANGE: CheckName =
  'reverse > learned_range interpolates the log-variance between beta~_t (v = -1) and beta_t (v = +1)';
const DDIM_LOOP: CheckName =
  "loops > sampleDdim is the float64 recursion of DDIM steps on the backend's noise, every option and eta";

/** diffusers' conventions but one choice of improved-diffusion's: what a backend that declares diffusers must not do. */
const finalAlphaOne = composeBackend(cpuKernels, { base: 'diffusers', ddimFinalAlphaBar: 'one' });
const clippedEps = composeBackend(cpuKernels, { base: 'diffusers', ddimEps: 'clipped-x0' });
const nextStepVariance = composeBackend(cpuKernels, { base: 'diffusers', firstStepVariance: 'next-step' });

const underDiffusers = (id: string, bug: string, caughtBy: CheckName, overrides: Partial<DiffusionBackend>) =>
  broken(`diffusers-${id}`, bug, caughtBy, overrides, diffusers);

export const brokenUnderProfiles = [
  underDiffusers(
    'alpha-bar-index',
    "q_sample reads alpha-bar at the scheduler's index k as if it were the paper's t (alphas_cumprod[k - 1])",
    CLOSED_FORM,
    { qSample: (args) => diffusers.qSample({ ...args, t: Array.from(args.t, (k) => Math.max(0, k - 1)) }) },
  ),
  underDiffusers('noise-at-first-step', 'the DDPM step adds noise at the first step (k = 0) too', DDPM_STEP, {
    async ddpmStep(args) {
      const r = await diffusers.pMeanVariance(args);
      const scaled = cpuKernels.multiply(cpuKernels.exp(r.logVariance, 0.5), args.noise);
      const ones = new Float64Array(args.xt.shape[0]).fill(1);
      const terms = [
        { x: r.mean, coef: ones },
        { x: scaled, coef: ones },
      ];
      return { prev: cpuKernels.linear(terms), predX0: r.predX0 };
    },
  }),
  underDiffusers('ddim-eta-squared', 'DDIM scales sigma by eta^2 instead of eta (eq. 16)', DDIM_STEP, {
    ddimStep: (args) => {
      const eta = args.options?.eta ?? 0;
      return diffusers.ddimStep({ ...args, options: { ...args.options, eta: eta * eta } });
    },
  }),
  underDiffusers(
    'final-alpha-one',
    "DDIM's last step goes to alpha-bar = 1 while the backend declares diffusers' final alpha-bar_1",
    DDIM_STEP,
    { ddimStep: (args) => finalAlphaOne.ddimStep(args) },
  ),
  underDiffusers(
    'ddim-eps-from-clipped-x0',
    "DDIM with clipping recomputes eps from the clipped x0 while the backend declares diffusers' unclipped one",
    DDIM_STEP,
    { ddimStep: (args) => clippedEps.ddimStep(args) },
  ),
  underDiffusers(
    'fixed-large-floor',
    "fixed_large takes beta~_2 at the first step while the backend declares diffusers' beta_1",
    P_MEAN_VARIANCE,
    {
      pMeanVariance: (args) =>
        args.options?.variance === 'fixed_large' ? nextStepVariance.pMeanVariance(args) : diffusers.pMeanVariance(args),
    },
  ),
  underDiffusers(
    'learned-range-swapped',
    'learned_range takes frac = (1 - v) / 2: v = +1 gives beta~_t and v = -1 beta_t',
    LEARNED_RANGE,
    {
      pMeanVariance(args) {
        if (args.options?.variance !== 'learned_range') return diffusers.pMeanVariance(args);
        const n = args.xt.shape[0];
        const half = args.modelOutput.data.length / n / 2;
        const data = args.modelOutput.data.map((v, i) => (i % (2 * half) >= half ? -v : v));
        return diffusers.pMeanVariance({ ...args, modelOutput: { shape: args.modelOutput.shape, data } });
      },
    },
  ),
  underDiffusers(
    'ddim-loop-paper-timesteps',
    "the DDIM loop calls the model with the paper's t = k + 1 instead of the scheduler's k",
    DDIM_LOOP,
    {
      sampleDdim: (args) =>
        diffusers.sampleDdim({
          ...args,
          model: (x, k) =>
            args.model(
              x,
              k.map((v) => v + 1),
            ),
        }),
    },
  ),
];
