// Posterior q(x_{t-1} | x_t, x_0) specs.
//   q(x_{t-1} | x_t, x_0) = N(mu~_t, beta~_t I), mu~_t = sqrt(ab_{t-1}) beta_t/(1 - ab_t) x_0
// + sqrt(alpha_t)(1 - ab_{t-1})/(1 - ab_t) x_t,   beta~_t = (1 - ab_{t-1})/(1 - ab_t) beta_t
// (Ho et al. 2020, eqs. 6-7)   Bayes: q(x_{t-1} | x_t, x_0) ∝ q(x_t | x_{t-1}) q(x_{t-1} |
// x_0), a product of Gaussians in x_{t-1}:   precision 1/(1 - ab_{t-1}) + alpha_t/beta_t,
// mean (sqrt(ab_{t-1}) x_0/(1 - ab_{t-1}) + sqrt(alpha_t) x_t/beta_t) / precision
import fc from 'fast-check';
import { SEED_SCHEDULE } from '../../src/schedule/spec.js';
import { scheduleTables } from '../../src/schedule/tables.js';
import { defineGroup } from '../../src/speckit/check.js';
import { atT, combine } from '../../src/speckit/combination.js';
import { ROUNDINGS } from '../../src/speckit/tolerance.js';
import { ksNormalTest, meanZeroTest, unitVarianceTest, zeroCorrelationTest } from '../../src/stats/tests.js';
import { sizeOf, tensor } from '../../src/tensor.js';
import { batchCaseArbitrary } from '../arbitraries/case.js';

const STAT_STEPS = [2, 30, 100];
const STAT_TESTS = 4;
const FALSE_ALARM = 1e-4;
const SHAPE = [8, 2500];

export const posteriorGroup = defineGroup('posterior', 'The forward-process posterior q(x_{t-1} | x_t, x_0)', [
  {
    name: "posterior mean and variance equal Bayes' rule for the two Gaussians",
    kind: 'property',
    equation:
      'mu~ = (sqrt(ab_{t-1}) x_0/(1 - ab_{t-1}) + sqrt(alpha_t) x_t/beta_t) / (1/(1 - ab_{t-1}) + alpha_t/beta_t); beta~ = 1/precision; t = 1: mu~ = x_0, beta~ = 0, clipped log-variance log beta~_2 (log beta_1 when T = 1)',
    source: 'Ho et al. 2020, eqs. 6-7',
    requires: ['forward'],
    reads: ['qPosterior.mean', 'qPosterior.variance', 'qPosterior.logVarianceClipped'],
    async run(backend, ctx) {
      await fc.assert(
        fc.asyncProperty(batchCaseArbitrary(2), async ({ schedule, shape, t, tensors: [x0, xt] }) => {
          const s = scheduleTables(schedule);
          const r = await backend.qPosterior({ schedule: await backend.schedule(schedule), x0, xt, t });
          const precision = (u: number) =>
            u === 1 ? Infinity : 1 / s.oneMinusAlphaBar[u - 1] + s.alphas[u] / s.betas[u];
          const mean = combine(shape[0], [
            {
              coef: atT(t, (u) =>
                u === 1 ? 1 : Math.sqrt(s.alphaBar[u - 1]) / s.oneMinusAlphaBar[u - 1] / precision(u),
              ),
              x: x0.data,
            },
            { coef: atT(t, (u) => (u === 1 ? 0 : Math.sqrt(s.alphas[u]) / s.betas[u] / precision(u))), x: xt.data },
          ]);
          ctx.expectClose({
            what: 'posterior mean',
            actual: r.mean,
            expected: mean.value,
            scale: mean.scale,
            floor: mean.floor,
            roundings: ROUNDINGS.posteriorMean,
            shape,
          });
          const variance = combine(
            shape[0],
            [{ coef: atT(t, () => 0), x: x0.data }],
            atT(t, (u) => 1 / precision(u)),
          );
          ctx.expectClose({
            what: 'posterior variance',
            actual: r.variance,
            expected: variance.value,
            scale: variance.scale,
            floor: variance.floor,
            roundings: ROUNDINGS.posteriorVariance,
            shape,
          });
          const logClipped = combine(
            shape[0],
            [{ coef: atT(t, () => 0), x: x0.data }],
            atT(t, (u) => Math.log(u > 1 ? 1 / precision(u) : s.T >= 2 ? 1 / precision(2) : s.betas[1])),
          );
          ctx.expectClose({
            what: 'clipped log-variance',
            actual: r.logVarianceClipped,
            expected: logClipped.value,
            scale: logClipped.scale.map((v) => Math.max(v, 1)),
            roundings: ROUNDINGS.posteriorVariance,
            shape,
          });
        }),
        ctx.fastCheck(60),
      );
    },
  },
  {
    name: 'x_{t-1} drawn forward from x_0 and then x_t is distributed as the posterior given (x_t, x_0)',
    kind: 'statistical',
    equation: '(x_{t-1} - mu~_t(x_t, x_0)) / sqrt(beta~_t) ~ iid N(0, 1), uncorrelated with x_t',
    source: 'Ho et al. 2020, eqs. 2, 4, 6-7',
    requires: ['forward', 'random'],
    reads: ['qPosterior.mean', 'qPosterior.variance'],
    falseAlarm: FALSE_ALARM,
    async run(backend, ctx) {
      const alpha = FALSE_ALARM / (STAT_STEPS.length * STAT_TESTS);
      const schedule = await backend.schedule(SEED_SCHEDULE);
      const n = sizeOf(SHAPE);
      const x0 = tensor(
        SHAPE,
        Float64Array.from({ length: n }, (_, i) => Math.sin(i)),
      );
      for (const [k, step] of STAT_STEPS.entries()) {
        const t = new Array(SHAPE[0]).fill(step);
        const e1 = await backend.randomNormal({ shape: SHAPE, seed: ctx.subSeed(2 * k), stream: 0 });
        const e2 = await backend.randomNormal({ shape: SHAPE, seed: ctx.subSeed(2 * k + 1), stream: 0 });
        const xPrev = await backend.qSample({ schedule, x0, noise: e1, t: t.map((u) => u - 1) });
        const xt = await backend.forwardStep({ schedule, xPrev, noise: e2, t });
        const { mean, variance } = await backend.qPosterior({ schedule, x0, xt, t });
        ctx.expectShape('mean', mean, SHAPE);
        ctx.expectShape('variance', variance, SHAPE);
        const r = Float64Array.from(xPrev.data, (v, i) => (v - mean.data[i]) / Math.sqrt(variance.data[i]));
        ctx.statistic({ ...meanZeroTest(r, alpha), test: `t=${step}: standardised residual mean = 0` });
        ctx.statistic({ ...unitVarianceTest(r, alpha), test: `t=${step}: standardised residual variance = 1` });
        ctx.statistic({
          ...ksNormalTest(r, alpha),
          test: `t=${step}: standardised residual ~ N(0, 1) (Kolmogorov-Smirnov)`,
        });
        ctx.statistic({ ...zeroCorrelationTest(r, xt.data, alpha), test: `t=${step}: residual uncorrelated with x_t` });
      }
    },
  },
]);
