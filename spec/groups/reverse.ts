// Reverse-process step specs: p(x_{t-1} | x_t) from a model output, DDPM and DDIM steps.
//   mu_theta = mu~_t(x0^(x_t, out), x_t); sigma^2: fixed_small beta~_t, fixed_large beta_t (t = 1: beta~_2),
//   learned_range exp(frac log beta_t + (1 - frac) log beta~_t), frac = (v + 1)/2      (Ho et al. 2020,
// sec. 3.2; Nichol & Dhariwal 2021, eq. 15)   DDPM: x_{t-1} = mu_theta + sigma_t z, z = 0 at t = 1
// (Ho et al. 2020, Algorithm 2)   DDIM: x_{t-1} = sqrt(ab_{t-1}) x0^ + sqrt(1 - ab_{t-1} - sigma^2) eps^
// + sigma z,         sigma = eta sqrt((1 - ab_{t-1})/(1 - ab_t)) sqrt(1 - ab_t/ab_{t-1}), eta in [0, 1]
// (Song et al. 2021, eqs. 12 and 16)   DDIM inversion: x_{t'} = sqrt(ab_{t'}) x0^ + sqrt(1 - ab_{t'})
// eps^, t' > t   (Song et al. 2021, eq. 12, sigma = 0) Every option combination runs in every run
// (spec/support/options.ts); timesteps differ across the batch, and DDIM's earlier and later timesteps
// are any pair, not only t -+ 1 (respaced sampling and inversion use strides).
import fc from 'fast-check';
import type { ReverseOptions } from '../../src/contract/backend.js';
import type { ConventionFlags as Flags } from '../../src/conventions/profile.js';
import { type ScheduleTables, scheduleTables } from '../../src/schedule/tables.js';
import { defineGroup } from '../../src/speckit/check.js';
import { atT, combine, type Expected } from '../../src/speckit/combination.js';
import type { SpecContext } from '../../src/speckit/context.js';
import { ROUNDINGS, roundingsFor } from '../../src/speckit/tolerance.js';
import { type Tensor, tensor } from '../../src/tensor.js';
import { batchCaseArbitrary } from '../arbitraries/case.js';
import { uniformArbitrary } from '../arbitraries/uniform.js';
import { forEachOption, optionGrid } from '../support/options.js';
import {
  clipped,
  ddimCoefficients,
  expectedEpsFromX0,
  expectedPosteriorMean,
  expectedVariance,
  expectedX0,
  learnedRangeOutput,
  perItem,
  reverseLogBetaTilde,
} from '../support/reverse.js';

type Options = Required<Omit<ReverseOptions, 'eta'>>;

/** x_t, the model's prediction channels and raw values for learned_range's v channels (and `extra` more tensors). */
const reverseCase = (extra = 0, options: Parameters<typeof batchCaseArbitrary>[1] = {}) =>
  batchCaseArbitrary(3 + extra, options);

/** The model output for the options: the prediction, with v = tanh(raw) as C more channels under learned_range. */
const modelOutput = (o: Options, out: Tensor, raw: Tensor) =>
  o.variance === 'learned_range' ? learnedRangeOutput(out, raw) : out;

type Values = ArrayLike<number>;

/**
 * x0^ for the options (clipped when asked) and eps^: the model's for an unclipped eps prediction, else from x0^, the
 * clipped one or, under the profile's 'unclipped-x0' (diffusers' use_clipped_model_output=False), the unclipped one.
 */
function expectedPrediction(o: Options, s: ScheduleTables, t: readonly number[], xt: Values, out: Values, c: Flags) {
  const raw = expectedX0(o.prediction, s, t, xt, out);
  const x0 = o.clip ? clipped(raw) : raw;
  const fromUnclipped = !o.clip || c.ddimEps === 'unclipped-x0';
  const eps: Expected | Values =
    o.prediction === 'eps' && fromUnclipped ? out : expectedEpsFromX0(s, t, xt, fromUnclipped ? raw : x0);
  return { x0, eps };
}

/** Per batch item, any timestep in lo(t)..hi(t), each item its own. */
const timestepsBetween = (t: readonly number[], lo: (u: number) => number, hi: (u: number) => number) =>
  fc.tuple(...t.map((u) => fc.integer({ min: lo(u), max: hi(u) })));

/** ctx.expectClose against a spec-computed Expected. */
function expectExpected(ctx: SpecContext, what: string, actual: Tensor, e: Expected, k: number, shape: number[]) {
  ctx.expectClose({ what, actual, expected: e.value, scale: e.scale, floor: e.floor, roundings: k, shape });
}

/** The DDIM step's expected output (Song et al. 2021, eq. 12), eps^ the model's or recomputed from a clipped x0^. */
function expectedDdim(
  s: ScheduleTables,
  t: number[],
  tPrev: number[],
  eta: number,
  x0: Expected,
  eps: Expected | ArrayLike<number>,
  noise: ArrayLike<number>,
  flags: Flags,
): Expected {
  const c = t.map((u, n) => ddimCoefficients(s, u, tPrev[n], eta, flags));
  return combine(t.length, [
    { coef: c.map((ci) => ci.x0), x: x0 },
    { coef: c.map((ci) => ci.eps), x: eps },
    { coef: c.map((ci) => ci.noise), x: noise },
  ]);
}

export const reverseGroup = defineGroup('reverse', 'Reverse-process steps: p(x_{t-1} | x_t), DDPM and DDIM', [
  {
    name: 'p_mean_variance: x0^, the mean at x0^ and sigma^2 for every prediction, variance and clip option',
    kind: 'property',
    equation:
      'x0^ = (x_t - sqrt(1 - ab) eps)/sqrt(ab) | sqrt(ab) x_t - sqrt(1 - ab) v | x0, clipped if asked; ' +
      'mu = c1 x0^ + c2 x_t; sigma^2 and log sigma^2 by variance type',
    source: 'Ho et al. 2020, eqs. 4, 7, 11 and sec. 3.2; Salimans & Ho 2022, sec. 4; Nichol & Dhariwal 2021, eq. 15',
    requires: ['reverse'],
    reads: ['pMeanVariance.mean', 'pMeanVariance.variance', 'pMeanVariance.logVariance', 'pMeanVariance.predX0'],
    async run(backend, ctx) {
      await forEachOption(ctx, optionGrid(), reverseCase(), 4, async ({ schedule, shape, t, tensors }, o) => {
        const [xt, out, raw] = tensors;
        const s = scheduleTables(schedule);
        const args = { xt, t, modelOutput: modelOutput(o, out, raw), options: o };
        const r = await backend.pMeanVariance({ schedule: await backend.schedule(schedule), ...args });
        const { x0 } = expectedPrediction(o, s, t, xt.data, out.data, ctx.conventions);
        const outside = Array.from(r.predX0.data).find((v) => v < -1 || v > 1);
        if (o.clip && outside !== undefined) ctx.fail(`clipped x0^ leaves [-1, 1]: ${outside}`);
        expectExpected(ctx, 'x0^', r.predX0, x0, ROUNDINGS.predX0, shape);
        expectExpected(ctx, 'mean', r.mean, expectedPosteriorMean(s, t, x0, xt.data), ROUNDINGS.pMean, shape);
        const v = raw.data.map(Math.tanh);
        const { variance, logVariance } = expectedVariance(o.variance, s, t, xt.data.length, v, ctx.conventions);
        const k = roundingsFor('pVariance', backend.precision);
        expectExpected(ctx, 'variance', r.variance, variance, k, shape);
        expectExpected(ctx, 'log-variance', r.logVariance, logVariance, k, shape);
      });
    },
  },
  {
    name: 'a perfect prediction of eps, x0 or v recovers x_0 and the posterior mean',
    kind: 'property',
    equation:
      'out = eps | x_0 | sqrt(ab) eps - sqrt(1 - ab) x_0 at x_t = sqrt(ab) x_0 + sqrt(1 - ab) eps => x0^ = x_0, mu = mu~(x_0, x_t)',
    source: 'Ho et al. 2020, eqs. 4 and 7; Salimans & Ho 2022, sec. 4',
    requires: ['reverse'],
    reads: ['pMeanVariance.predX0', 'pMeanVariance.mean'],
    async run(backend, ctx) {
      const grid = optionGrid({ variance: ['fixed_small'], clip: [false] });
      await forEachOption(ctx, grid, batchCaseArbitrary(2), 20, async ({ schedule, shape, t, tensors }, o) => {
        const { prediction } = o;
        const [x0, eps] = tensors;
        const s = scheduleTables(schedule);
        const n = shape[0];
        const xt = combine(n, [
          { coef: atT(t, (u) => Math.sqrt(s.alphaBar[u])), x: x0.data },
          { coef: atT(t, (u) => Math.sqrt(s.oneMinusAlphaBar[u])), x: eps.data },
        ]);
        const target =
          prediction === 'eps'
            ? eps.data
            : prediction === 'x0'
              ? x0.data
              : combine(n, [
                  { coef: atT(t, (u) => Math.sqrt(s.alphaBar[u])), x: eps.data },
                  { coef: atT(t, (u) => -Math.sqrt(s.oneMinusAlphaBar[u])), x: x0.data },
                ]).value;
        const args = { xt: tensor(shape, xt.value), t, modelOutput: tensor(shape, target), options: { prediction } };
        const r = await backend.pMeanVariance({ schedule: await backend.schedule(schedule), ...args });
        // x_t and the target were rounded once more by the spec: their magnitudes feed the bound.
        const recovered = expectedX0(prediction, s, t, xt.scale, Float64Array.from(target, Math.abs));
        const k = ROUNDINGS.qSample;
        const what = (q: string) => `${q} from a perfect ${prediction}`;
        const exact = { ...recovered, value: Float64Array.from(x0.data) };
        expectExpected(ctx, what('x0^'), r.predX0, exact, ROUNDINGS.predX0 + k, shape);
        const mean = expectedPosteriorMean(s, t, x0.data, xt.value);
        const meanBound = expectedPosteriorMean(s, t, recovered, xt.scale);
        expectExpected(ctx, what('mean'), r.mean, { ...meanBound, value: mean.value }, ROUNDINGS.pMean + k, shape);
      });
    },
  },
  {
    name: 'learned_range interpolates the log-variance between beta~_t (v = -1) and beta_t (v = +1)',
    kind: 'property',
    equation:
      'log sigma^2 = frac log beta_t + (1 - frac) log beta~_t (clipped), frac = (v + 1)/2; the model output holds 2C channels',
    source: 'Nichol & Dhariwal 2021, eq. 15',
    requires: ['reverse'],
    reads: ['pMeanVariance.logVariance', 'pMeanVariance.variance'],
    async run(backend, ctx) {
      const arbitrary = batchCaseArbitrary(1, { minT: 2 }).chain((c) => {
        const doubled = [c.shape[0], 2 * c.shape[1], ...c.shape.slice(2)];
        const size = doubled.reduce((a, b) => a * b, 1);
        const v = fc.array(uniformArbitrary(-1, 1), { minLength: size, maxLength: size });
        return fc.record({ c: fc.constant(c), out: v.map((d) => tensor(doubled, d)) });
      });
      await fc.assert(
        fc.asyncProperty(
          arbitrary,
          async ({
            c: {
              schedule,
              shape,
              t,
              tensors: [xt],
            },
            out,
          }) => {
            const s = scheduleTables(schedule);
            const r = await backend.pMeanVariance({
              schedule: await backend.schedule(schedule),
              xt,
              t,
              modelOutput: out,
              options: { variance: 'learned_range' },
            });
            const m = xt.data.length / shape[0];
            const channelBlock = m; // first C channels of each item are the prediction, the next C the v values
            const v = Float64Array.from(
              { length: xt.data.length },
              (_, i) => out.data[Math.floor(i / m) * 2 * m + channelBlock + (i % m)],
            );
            const logBeta = perItem(t, v.length, (u) => Math.log(s.betas[u]));
            const logPosterior = perItem(t, v.length, (u) => reverseLogBetaTilde(s, u, ctx.conventions));
            const value = v.map(
              (vi, i) => ((vi + 1) / 2) * logBeta.value[i] + (1 - (vi + 1) / 2) * logPosterior.value[i],
            );
            const scale = v.map((_vi, i) => Math.abs(logBeta.value[i]) + Math.abs(logPosterior.value[i]));
            const k = roundingsFor('pVariance', backend.precision);
            ctx.expectClose({
              what: 'learned log-variance',
              actual: r.logVariance,
              expected: value,
              scale,
              roundings: k,
              shape,
            });
            ctx.expectClose({
              what: 'learned variance',
              actual: r.variance,
              expected: value.map(Math.exp),
              scale: value.map((lv, i) => Math.exp(lv) * (1 + scale[i])),
              roundings: k,
              shape,
            });
          },
        ),
        ctx.fastCheck(40),
      );
    },
  },
  {
    name: 'a DDPM step adds sigma_t z to the mean (no noise at t = 1) for every prediction, variance and clip option',
    kind: 'property',
    equation: 'x_{t-1} = mu_theta(x_t, t) + sigma_t z for t > 1; x_0 = mu_theta(x_1, 1); predX0 = x0^ (clipped if so)',
    source: 'Ho et al. 2020, Algorithm 2; Nichol & Dhariwal 2021, eq. 15',
    requires: ['reverse'],
    reads: ['ddpmStep.prev', 'ddpmStep.predX0'],
    async run(backend, ctx) {
      // Some batch items at t = 1 and others not: the last step's "no noise" is decided per item.
      const arbitrary = reverseCase(1).chain((c) =>
        fc.record({ c: fc.constant(c), last: fc.tuple(...c.t.map(() => fc.boolean())) }),
      );
      await forEachOption(ctx, optionGrid(), arbitrary, 4, async ({ c, last }, o) => {
        const {
          schedule,
          shape,
          t,
          tensors: [xt, out, raw, noise],
        } = c;
        const s = scheduleTables(schedule);
        const steps = t.map((u, n) => (last[n] ? 1 : u));
        const args = { xt, t: steps, modelOutput: modelOutput(o, out, raw), noise, options: o };
        const r = await backend.ddpmStep({ schedule: await backend.schedule(schedule), ...args });
        const { x0 } = expectedPrediction(o, s, steps, xt.data, out.data, ctx.conventions);
        expectExpected(ctx, 'x0^', r.predX0, x0, ROUNDINGS.predX0, shape);
        const mean = expectedPosteriorMean(s, steps, x0, xt.data);
        const v = raw.data.map(Math.tanh);
        const { logVariance } = expectedVariance(o.variance, s, steps, xt.data.length, v, ctx.conventions);
        const m = xt.data.length / shape[0];
        const sigma = logVariance.value.map((lv, i) => (steps[Math.floor(i / m)] > 1 ? Math.exp(lv / 2) : 0));
        const value = mean.value.map((v, i) => v + sigma[i] * noise.data[i]);
        // sigma = exp(log sigma^2 / 2) errs by sigma times the log-variance's error, which scales with its magnitude.
        const scale = mean.scale.map((v, i) => v + sigma[i] * Math.abs(noise.data[i]) * (1 + logVariance.scale[i] / 2));
        // Flushes: those reaching the mean, the noise, and the scaled noise sigma z itself.
        const floor = mean.floor.map((f, i) => f + sigma[i] + 1);
        const k = roundingsFor('ddpmStep', backend.precision);
        expectExpected(ctx, 'x_{t-1}', r.prev, { value, scale, floor }, k, shape);
      });
    },
  },
  {
    name: 'a DDIM step follows eq. 12 for every option and eta in [0, 1], from t to any earlier timestep',
    kind: 'property',
    equation:
      'x_{t-1} = sqrt(ab_{t-1}) x0^ + sqrt(1 - ab_{t-1} - sigma^2) eps^ + sigma z, ' +
      'sigma = eta sqrt((1 - ab_{t-1})/(1 - ab_t)) sqrt(1 - ab_t/ab_{t-1}); predX0 = x0^',
    source: 'Song et al. 2021, eqs. 12 and 16',
    requires: ['reverse'],
    reads: ['ddimStep.prev', 'ddimStep.predX0'],
    async run(backend, ctx) {
      // learned_range only adds the v channels DDIM must ignore; fixed_large is fixed_small to DDIM.
      const grid = optionGrid({ variance: ['fixed_small', 'learned_range'] }, [0, 'between', 1]);
      const arbitrary = reverseCase(1).chain((c) =>
        fc.record({
          c: fc.constant(c),
          tPrev: timestepsBetween(
            c.t,
            () => 0,
            (u) => u - 1,
          ),
        }),
      );
      await forEachOption(ctx, grid, arbitrary, 2, async ({ c, tPrev }, o) => {
        const {
          schedule,
          shape,
          t,
          tensors: [xt, out, raw, noise],
        } = c;
        const s = scheduleTables(schedule);
        const args = { xt, t, tPrev, modelOutput: modelOutput(o, out, raw), noise, options: o };
        const r = await backend.ddimStep({ schedule: await backend.schedule(schedule), ...args });
        const { x0, eps } = expectedPrediction(o, s, t, xt.data, out.data, ctx.conventions);
        expectExpected(ctx, 'x0^', r.predX0, x0, ROUNDINGS.predX0, shape);
        const prev = expectedDdim(s, t, tPrev, o.eta, x0, eps, noise.data, ctx.conventions);
        expectExpected(ctx, `x_{t'} (t = ${t}, t' = ${tPrev})`, r.prev, prev, ROUNDINGS.ddimStep, shape);
      });
    },
  },
  {
    name: 'DDIM with eta = 1 and the previous timestep equals the DDPM step with fixed_small',
    kind: 'property',
    equation:
      'sigma_t(eta = 1)^2 = beta~_t and the DDIM mean equals mu~_t(x0^, x_t) when tPrev = t - 1 ' +
      "(t >= 2 where DDIM's last step targets alpha-bar_1)",
    source: 'Song et al. 2021, sec. 4.1 (eta = 1 is DDPM)',
    requires: ['reverse'],
    reads: ['ddimStep.prev', 'ddpmStep.prev'],
    async run(backend, ctx) {
      await fc.assert(
        fc.asyncProperty(batchCaseArbitrary(3), async ({ schedule, shape, t: drawn, tensors: [xt, out, noise] }) => {
          const s = scheduleTables(schedule);
          // With DDIM's last step to alpha-bar_1 (the profile's 'first-step'), the step from t = 1 is no DDPM step.
          const finalIsFirstStep = ctx.conventions.ddimFinalAlphaBar === 'first-step';
          if (finalIsFirstStep && s.T < 2) return;
          const t = finalIsFirstStep ? drawn.map((u) => Math.max(u, 2)) : drawn;
          const backendSchedule = await backend.schedule(schedule);
          const ddim = await backend.ddimStep({
            schedule: backendSchedule,
            xt,
            t,
            tPrev: t.map((u) => u - 1),
            modelOutput: out,
            noise,
            options: { eta: 1 },
          });
          const ddpm = await backend.ddpmStep({ schedule: backendSchedule, xt, t, modelOutput: out, noise });
          ctx.expectShape('DDPM x_{t-1}', ddpm.prev, shape);
          const x0 = expectedX0('eps', s, t, xt.data, out.data);
          const bound = expectedDdim(
            s,
            t,
            t.map((u) => u - 1),
            1,
            x0,
            out.data,
            noise.data,
            ctx.conventions,
          ).scale;
          ctx.expectClose({
            what: 'DDIM(eta = 1) vs DDPM x_{t-1}',
            actual: ddim.prev,
            expected: ddpm.prev.data,
            scale: bound,
            roundings: ROUNDINGS.ddimStep + roundingsFor('ddpmStep', backend.precision),
            shape,
          });
        }),
        ctx.fastCheck(60),
      );
    },
  },
  {
    name: 'DDIM with eta = 0 is deterministic: the noise argument has no effect',
    kind: 'property',
    equation: 'sigma_t(eta = 0) = 0',
    source: 'Song et al. 2021, sec. 4.1',
    requires: ['reverse'],
    reads: ['ddimStep.prev'],
    async run(backend, ctx) {
      await fc.assert(
        fc.asyncProperty(batchCaseArbitrary(4), async ({ schedule, t, tensors: [xt, out, a, b] }) => {
          const backendSchedule = await backend.schedule(schedule);
          const tPrev = t.map((u) => u - 1);
          const first = await backend.ddimStep({
            schedule: backendSchedule,
            xt,
            t,
            tPrev,
            modelOutput: out,
            noise: a,
            options: { eta: 0 },
          });
          const second = await backend.ddimStep({
            schedule: backendSchedule,
            xt,
            t,
            tPrev,
            modelOutput: out,
            noise: b,
            options: { eta: 0 },
          });
          const i = first.prev.data.findIndex((v, j) => v !== second.prev.data[j]);
          if (i >= 0) ctx.fail(`x_{t-1}[${i}] depends on the noise: ${first.prev.data[i]} vs ${second.prev.data[i]}`);
        }),
        ctx.fastCheck(30),
      );
    },
  },
  {
    name: 'the DDIM reverse step inverts the DDIM step for the same eps, over any stride',
    kind: 'property',
    equation:
      "x_{t'} = sqrt(ab_{t'}) x0^ + sqrt(1 - ab_{t'}) eps for any 1 <= t' < t, " +
      "then x_t = sqrt(ab_t) x0^(x_{t'}, eps) + sqrt(1 - ab_t) eps",
    source: 'Song et al. 2021, eq. 12 with sigma = 0 and sec. 4.3 (DDIM as an invertible ODE discretisation)',
    requires: ['reverse'],
    reads: ['ddimStep.prev', 'ddimReverseStep.next'],
    async run(backend, ctx) {
      const arbitrary = batchCaseArbitrary(2, { tMin: 2 }).chain((c) =>
        fc.record({
          c: fc.constant(c),
          tPrev: timestepsBetween(
            c.t,
            () => 1,
            (u) => u - 1,
          ),
        }),
      );
      await fc.assert(
        fc.asyncProperty(
          arbitrary,
          async ({
            c: {
              schedule,
              shape,
              t,
              tensors: [xt, eps],
            },
            tPrev,
          }) => {
            const s = scheduleTables(schedule);
            const backendSchedule = await backend.schedule(schedule);
            const { prev } = await backend.ddimStep({ schedule: backendSchedule, xt, t, tPrev, modelOutput: eps });
            const { next } = await backend.ddimReverseStep({
              schedule: backendSchedule,
              xt: prev,
              t: tPrev,
              tNext: t,
              modelOutput: eps,
            });
            // Magnitudes through both steps: x0^ at t, x_{t'}, x0^ at t', x_t again.
            const x0 = expectedX0('eps', s, t, xt.data, eps.data);
            const there = expectedDdim(s, t, tPrev, 0, x0, eps.data, eps.data, ctx.conventions);
            const x0Again = expectedX0('eps', s, tPrev, there.scale, eps.data);
            const scale = combine(shape[0], [
              { coef: atT(t, (u) => Math.sqrt(s.alphaBar[u])), x: x0Again },
              { coef: atT(t, (u) => Math.sqrt(s.oneMinusAlphaBar[u])), x: eps.data },
            ]).scale;
            const what = `x_t after step and reverse step (t = ${t}, t' = ${tPrev})`;
            const roundings = ROUNDINGS.ddimStep + ROUNDINGS.ddimReverseStep;
            ctx.expectClose({ what, actual: next, expected: xt.data, scale, roundings, shape });
          },
        ),
        ctx.fastCheck(60),
      );
    },
  },
  {
    name: 'the DDIM reverse step is eq. 12 run forward for every option, from t to any later timestep',
    kind: 'property',
    equation: "x_{t'} = sqrt(ab_{t'}) x0^(x_t) + sqrt(1 - ab_{t'}) eps^(x_t), t' > t (eps^ from a clipped x0^)",
    source: 'Song et al. 2021, eq. 12 with sigma = 0 and sec. 4.3 (DDIM inversion)',
    requires: ['reverse'],
    reads: ['ddimReverseStep.next'],
    async run(backend, ctx) {
      const grid = optionGrid({ variance: ['fixed_small', 'learned_range'] });
      const arbitrary = reverseCase(0, { minT: 2 }).chain((c) => {
        const t = c.t.map((u) => Math.min(u, c.T - 1));
        return fc.record({
          c: fc.constant(c),
          t: fc.constant(t),
          tNext: timestepsBetween(
            t,
            (u) => u + 1,
            () => c.T,
          ),
        });
      });
      await forEachOption(ctx, grid, arbitrary, 4, async ({ c: { schedule, shape, tensors }, t, tNext }, o) => {
        const [xt, out, raw] = tensors;
        const s = scheduleTables(schedule);
        const args = { xt, t, tNext, modelOutput: modelOutput(o, out, raw), options: o };
        const { next } = await backend.ddimReverseStep({ schedule: await backend.schedule(schedule), ...args });
        const { x0, eps } = expectedPrediction(o, s, t, xt.data, out.data, ctx.conventions);
        const expected = combine(shape[0], [
          { coef: tNext.map((u) => Math.sqrt(s.alphaBar[u])), x: x0 },
          { coef: tNext.map((u) => Math.sqrt(s.oneMinusAlphaBar[u])), x: eps },
        ]);
        expectExpected(ctx, `x_{t'} (t = ${t}, t' = ${tNext})`, next, expected, ROUNDINGS.ddimReverseStep, shape);
      });
    },
  },
]);
