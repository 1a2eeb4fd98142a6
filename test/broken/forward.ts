import { cpuBackend } from '../../backends/cpu/index.js';
import { cpuKernels } from '../../backends/cpu/kernels.js';
import { gaussianTensor } from '../../src/random/gaussian.js';
import type { ScheduleTables } from '../../src/schedule/tables.js';
import { broken, type CheckName } from './broken.js';

const CLOSED_FORM: CheckName = 'forward > closed form q(x_t | x_0) is sqrt(alpha-bar_t) x_0 + sqrt(1 - alpha-bar_t) e';
const ONE_STEP: CheckName = 'forward > one forward step is sqrt(1 - beta_t) x_{t-1} + sqrt(beta_t) e';
const CHAIN_LAW: CheckName = 'forward > the Markov chain run with the backend noise has the distribution q(x_t | x_0)';

/** Tables whose alpha-bar entries are read one index early, as code that forgets the paper's t starts at 1. */
function alphaBarReadAtTMinusOne(s: ScheduleTables): ScheduleTables {
  const shift = (a: Float64Array) => Float64Array.from(a, (_, t) => a[Math.max(0, t - 1)]);
  return { ...s, alphaBar: shift(s.alphaBar), oneMinusAlphaBar: shift(s.oneMinusAlphaBar) };
}

export const brokenForward = [
  broken('alpha-bar-off-by-one', 'q_sample reads alpha-bar at t - 1', CLOSED_FORM, {
    qSample: (args) => cpuBackend.qSample({ ...args, schedule: alphaBarReadAtTMinusOne(args.schedule) }),
  }),
  broken('closed-form-without-sqrt', 'q_sample uses alpha-bar x0 + (1 - alpha-bar) e (sqrt missing)', CLOSED_FORM, {
    async qSample({ schedule: s, x0, noise, t }) {
      return cpuKernels.linear([
        { x: x0, coef: Float64Array.from(t, (u) => s.alphaBar[u]) },
        { x: noise, coef: Float64Array.from(t, (u) => s.oneMinusAlphaBar[u]) },
      ]);
    },
  }),
  broken('alpha-instead-of-alpha-bar', 'q_sample uses alpha_t where alpha-bar_t belongs', CLOSED_FORM, {
    qSample: (args) =>
      cpuBackend.qSample({
        ...args,
        schedule: { ...args.schedule, alphaBar: args.schedule.alphas, oneMinusAlphaBar: args.schedule.betas },
      }),
  }),
  broken('forward-step-without-sqrt', 'one forward step uses (1 - beta) x + beta e', ONE_STEP, {
    async forwardStep({ schedule: s, xPrev, noise, t }) {
      return cpuKernels.linear([
        { x: xPrev, coef: Float64Array.from(t, (u) => 1 - s.betas[u]) },
        { x: noise, coef: Float64Array.from(t, (u) => s.betas[u]) },
      ]);
    },
  }),
  broken('chain-reuses-noise', 'the Markov chain draws one noise tensor and reuses it at every step', CHAIN_LAW, {
    async forwardChain({ schedule, x0, t, seed, recordAt = [] }) {
      const noise = gaussianTensor(x0.shape, seed, 1);
      let x = x0;
      const recorded = recordAt.includes(0) ? [{ t: 0, x }] : [];
      for (let step = 1; step <= t; step++) {
        x = await cpuBackend.forwardStep({ schedule, xPrev: x, noise, t: new Array(x0.shape[0]).fill(step) });
        if (recordAt.includes(step)) recorded.push({ t: step, x });
      }
      return { xt: x, recorded };
    },
  }),
];
