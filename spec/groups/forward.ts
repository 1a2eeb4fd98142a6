// Forward process specs.
//   q(x_t | x_{t-1}) = N(sqrt(1 - beta_t) x_{t-1}, beta_t I)                      (Ho et al. 2020, eq. 2)
//   q(x_t | x_0) = N(sqrt(alpha-bar_t) x_0, (1 - alpha-bar_t) I)                  (Ho et al. 2020, eq. 4)
//   x_t = sqrt(alpha-bar_t) x_0 + sum_s sqrt(alpha-bar_t / alpha-bar_s) sqrt(beta_s) e_s  (unrolling
// eq. 2; its variance   telescopes to 1 - alpha-bar_t, which is the reparameterisation behind eq. 4)
import fc from 'fast-check';
import { gaussianValues } from '../../src/random/gaussian.js';
import { SEED_SCHEDULE } from '../../src/schedule/spec.js';
import { scheduleTables } from '../../src/schedule/tables.js';
import { defineGroup } from '../../src/speckit/check.js';
import { atT, combine } from '../../src/speckit/combination.js';
import { ROUNDINGS } from '../../src/speckit/tolerance.js';
import { ksNormalTest, meanZeroTest, unitVarianceTest, zeroCorrelationTest } from '../../src/stats/tests.js';
import { tensor } from '../../src/tensor.js';
import { batchCaseArbitrary } from '../arbitraries/case.js';

const CHAIN_BATCH = 8;
const CHAIN_ITEM = 2500;
const CHAIN_STEPS = [1, 10, 100];
const CHAIN_TESTS_PER_STEP = 4;

export const forwardGroup = defineGroup('forward', 'Forward process: one step, closed form, the Markov chain', [
  {
    name: 'one forward step is sqrt(1 - beta_t) x_{t-1} + sqrt(beta_t) e',
    reads: ['forwardStep.xt'],
    kind: 'property',
    equation: 'x_t = sqrt(1 - beta_t) x_{t-1} + sqrt(beta_t) e',
    source: 'Ho et al. 2020, eq. 2',
    requires: ['forward'],
    async run(backend, ctx) {
      await fc.assert(
        fc.asyncProperty(batchCaseArbitrary(2), async ({ schedule, shape, t, tensors: [xPrev, noise] }) => {
          const tables = scheduleTables(schedule);
          const actual = await backend.forwardStep({ schedule: await backend.schedule(schedule), xPrev, noise, t });
          const expected = combine(shape[0], [
            { coef: atT(t, (s) => Math.sqrt(1 - tables.betas[s])), x: xPrev.data },
            { coef: atT(t, (s) => Math.sqrt(tables.betas[s])), x: noise.data },
          ]);
          ctx.expectClose({
            what: 'x_t',
            actual,
            expected: expected.value,
            scale: expected.scale,
            floor: expected.floor,
            roundings: ROUNDINGS.forwardStep,
            shape,
          });
        }),
        ctx.fastCheck(60),
      );
    },
  },
  {
    name: 'closed form q(x_t | x_0) is sqrt(alpha-bar_t) x_0 + sqrt(1 - alpha-bar_t) e',
    reads: ['qSample.xt'],
    kind: 'property',
    equation: 'x_t = sqrt(alpha-bar_t) x_0 + sqrt(1 - alpha-bar_t) e',
    source: 'Ho et al. 2020, eq. 4',
    requires: ['forward'],
    async run(backend, ctx) {
      await fc.assert(
        fc.asyncProperty(batchCaseArbitrary(2), async ({ schedule, shape, t, tensors: [x0, noise] }) => {
          const tables = scheduleTables(schedule);
          const actual = await backend.qSample({ schedule: await backend.schedule(schedule), x0, noise, t });
          const expected = combine(shape[0], [
            { coef: atT(t, (s) => Math.sqrt(tables.alphaBar[s])), x: x0.data },
            { coef: atT(t, (s) => Math.sqrt(tables.oneMinusAlphaBar[s])), x: noise.data },
          ]);
          ctx.expectClose({
            what: 'x_t',
            actual,
            expected: expected.value,
            scale: expected.scale,
            floor: expected.floor,
            roundings: ROUNDINGS.qSample,
            shape,
          });
        }),
        ctx.fastCheck(60),
      );
    },
  },
  {
    name: 't forward steps with noises e_1..e_t equal the closed form with their combined noise',
    kind: 'property',
    equation:
      'x_t = sqrt(alpha-bar_t) x_0 + sqrt(1 - alpha-bar_t) e~, e~ = sum_s sqrt(alpha-bar_t / alpha-bar_s) sqrt(beta_s) e_s / sqrt(1 - alpha-bar_t)',
    source: 'Ho et al. 2020, eqs. 2 and 4 (reparameterisation)',
    requires: ['forward'],
    async run(backend, ctx) {
      const arbitrary = batchCaseArbitrary(1, { shape: fc.constant([2, 3]) }).chain((c) =>
        fc.record({ c: fc.constant(c), steps: fc.integer({ min: 1, max: Math.min(c.T, 120) }), seed: fc.nat() }),
      );
      await fc.assert(
        fc.asyncProperty(
          arbitrary,
          async ({
            c: {
              schedule,
              shape,
              tensors: [x0],
            },
            steps,
            seed,
          }) => {
            const tables = scheduleTables(schedule);
            const backendTables = await backend.schedule(schedule);
            const n = x0.data.length;
            const t = new Array(shape[0]).fill(0);
            let x = x0;
            const combined = new Float64Array(n);
            // Running magnitude of x_s: bounds every intermediate the steps round.
            const magnitude = Float64Array.from(x0.data, Math.abs);
            for (let s = 1; s <= steps; s++) {
              const e = gaussianValues(seed, s, n);
              x = await backend.forwardStep({
                schedule: backendTables,
                xPrev: x,
                noise: tensor(shape, e),
                t: t.fill(s),
              });
              const weight = Math.sqrt(tables.alphaBar[steps] / tables.alphaBar[s]) * Math.sqrt(tables.betas[s]);
              for (let i = 0; i < n; i++) {
                combined[i] += weight * e[i];
                magnitude[i] = Math.sqrt(tables.alphas[s]) * magnitude[i] + Math.sqrt(tables.betas[s]) * Math.abs(e[i]);
              }
            }
            const sigma = Math.sqrt(tables.oneMinusAlphaBar[steps]);
            const closed = await backend.qSample({
              schedule: backendTables,
              x0,
              noise: tensor(
                shape,
                combined.map((v) => v / sigma),
              ),
              t: t.fill(steps),
            });
            // Each of the `steps` steps and the closed form contribute
            // ROUNDINGS.forwardStep roundings, the combined noise 2 per term.
            ctx.expectClose({
              what: `x_${steps} (chain vs closed form)`,
              actual: x,
              expected: closed.data,
              scale: magnitude,
              roundings: (ROUNDINGS.forwardStep + 2) * (steps + 1),
              shape,
            });
          },
        ),
        ctx.fastCheck(25),
      );
    },
  },
  {
    name: 'the Markov chain run with the backend noise has the distribution q(x_t | x_0)',
    kind: 'statistical',
    equation: '(x_t - sqrt(alpha-bar_t) x_0) / sqrt(1 - alpha-bar_t) ~ iid N(0, 1), independent across the batch',
    source: 'Ho et al. 2020, eqs. 2 and 4',
    requires: ['forward', 'random'],
    reads: ['forwardChain.recorded'],
    falseAlarm: 2e-4,
    async run(backend, ctx) {
      const alpha = 2e-4 / (CHAIN_STEPS.length * CHAIN_TESTS_PER_STEP);
      const tables = scheduleTables(SEED_SCHEDULE);
      const shape = [CHAIN_BATCH, CHAIN_ITEM];
      const x0 = tensor(
        shape,
        Float64Array.from({ length: CHAIN_BATCH * CHAIN_ITEM }, (_, i) => -2 + (4 * (i % CHAIN_ITEM)) / CHAIN_ITEM),
      );
      const { recorded } = await backend.forwardChain({
        schedule: await backend.schedule(SEED_SCHEDULE),
        x0,
        t: Math.max(...CHAIN_STEPS),
        seed: ctx.subSeed(0),
        recordAt: CHAIN_STEPS,
      });
      for (const step of CHAIN_STEPS) {
        const xt = recorded.find((r) => r.t === step)?.x;
        ctx.expectShape(`x_${step}`, xt, shape);
        const a = Math.sqrt(tables.alphaBar[step]);
        const b = Math.sqrt(tables.oneMinusAlphaBar[step]);
        const z = Float64Array.from(xt!.data, (v, i) => (v - a * x0.data[i]) / b);
        ctx.statistic({ ...meanZeroTest(z, alpha), test: `t=${step}: mean = 0 (z-test)` });
        ctx.statistic({ ...unitVarianceTest(z, alpha), test: `t=${step}: variance = 1 (chi-square)` });
        ctx.statistic({ ...ksNormalTest(z, alpha), test: `t=${step}: Kolmogorov-Smirnov against N(0, 1)` });
        // Pairs (item n, item n+1) at the same position: noise shared across the batch shows as correlation 1.
        const left = z.subarray(0, (CHAIN_BATCH - 1) * CHAIN_ITEM);
        const right = z.subarray(CHAIN_ITEM);
        ctx.statistic({
          ...zeroCorrelationTest(left, right, alpha),
          test: `t=${step}: neighbouring batch items uncorrelated`,
        });
      }
    },
  },
]);
