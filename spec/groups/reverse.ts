// Reverse-process step specs: p(x_{t-1} | x_t) from a model output, DDPM and DDIM steps.
//   mu_theta = mu~_t(x0^(x_t, out), x_t); sigma^2: fixed_small beta~_t, fixed_large beta_t (t = 1: beta~_2),
//   learned_range exp(frac log beta_t + (1 - frac) log beta~_t), frac = (v + 1)/2      (Ho et al. 2020, sec. 3.2; Nichol & Dhariwal 2021, eq. 15)
//   DDPM: x_{t-1} = mu_theta + sigma_t z, z = 0 at t = 1                             (Ho et al. 2020, Algorithm 2)
//   DDIM: x_{t-1} = sqrt(ab_{t-1}) x0^ + sqrt(1 - ab_{t-1} - sigma^2) eps^ + sigma z,
//         sigma = eta sqrt((1 - ab_{t-1})/(1 - ab_t)) sqrt(1 - ab_t/ab_{t-1})          (Song et al. 2021, eqs. 12 and 16)
import fc from 'fast-check';
import type { PredictionType } from '../../src/equations/prediction.js';
import type { VarianceType } from '../../src/equations/variance.js';
import { scheduleTables, type ScheduleTables } from '../../src/schedule/tables.js';
import { defineGroup } from '../../src/speckit/check.js';
import { ROUNDINGS } from '../../src/speckit/tolerance.js';
import { roundingsFor } from '../../src/speckit/tolerance.js';
import { tensor } from '../../src/tensor.js';
import { batchCaseArbitrary } from '../arbitraries/case.js';
import { atT, combine, type Expected } from '../../src/speckit/combination.js';
import { clipped, expectedEpsFromX0, expectedPosteriorMean, expectedX0, perItem } from '../support/reverse.js';

const predictionArbitrary = fc.constantFrom<PredictionType>('eps', 'x0', 'v');

/** sigma_t^2 of the fixed variance types. */
function fixedVariance(variance: Exclude<VarianceType, 'learned_range'>, s: ScheduleTables, u: number): number {
  if (variance === 'fixed_small') return s.posteriorVariance[u];
  return u === 1 && s.T >= 2 ? s.posteriorVariance[2] : s.betas[u];
}

function fixedLogVariance(variance: Exclude<VarianceType, 'learned_range'>, s: ScheduleTables, u: number): number {
  return variance === 'fixed_small' ? s.posteriorLogVarianceClipped[u] : Math.log(fixedVariance(variance, s, u));
}

/** 1 - ab_t/ab_p = 1 - prod_{s=p+1..t} alpha_s = sum_{s=p+1..t} beta_s prod_{r=s+1..t} alpha_r: positive terms, no cancellation. */
function oneMinusRatio(s: ScheduleTables, p: number, t: number): number {
  let sum = 0;
  let tail = 1;
  for (let u = t; u > p; u--) {
    sum += s.betas[u] * tail;
    tail *= s.alphas[u];
  }
  return sum;
}

/** The DDIM step's expected output (Song et al. 2021, eq. 12), eps^ the model's or recomputed from a clipped x0^. */
function expectedDdim(s: ScheduleTables, t: number[], tPrev: number[], eta: number, x0: Expected, eps: Expected | ArrayLike<number>, noise: ArrayLike<number>): Expected {
  const sigma = t.map((u, n) => eta * Math.sqrt(s.oneMinusAlphaBar[tPrev[n]] / s.oneMinusAlphaBar[u]) * Math.sqrt(oneMinusRatio(s, tPrev[n], u)));
  return combine(t.length, [
    { coef: tPrev.map((p) => Math.sqrt(s.alphaBar[p])), x: x0 },
    { coef: tPrev.map((p, n) => Math.sqrt(Math.max(0, s.oneMinusAlphaBar[p] - sigma[n] ** 2))), x: eps },
    { coef: sigma, x: noise },
  ]);
}

export const reverseGroup = defineGroup('reverse', 'Reverse-process steps: p(x_{t-1} | x_t), DDPM and DDIM', [
  {
    name: 'p_mean_variance gives x0^ for each prediction type and the posterior mean at x0^',
    kind: 'property',
    equation: 'x0^ = (x_t - sqrt(1 - ab) eps)/sqrt(ab) | sqrt(ab) x_t - sqrt(1 - ab) v | x0; mu = c1 x0^ + c2 x_t',
    source: 'Ho et al. 2020, eqs. 4, 7, 11; Salimans & Ho 2022, sec. 4',
    requires: ['reverse'],
    async run(backend, ctx) {
      const arbitrary = fc.tuple(batchCaseArbitrary(2), predictionArbitrary, fc.constantFrom<Exclude<VarianceType, 'learned_range'>>('fixed_small', 'fixed_large'));
      await fc.assert(
        fc.asyncProperty(arbitrary, async ([{ schedule, shape, t, tensors: [xt, out] }, prediction, variance]) => {
          const s = scheduleTables(schedule);
          const r = await backend.pMeanVariance({ schedule: await backend.schedule(schedule), xt, t, modelOutput: out, options: { prediction, variance } });
          const x0 = expectedX0(prediction, s, t, xt.data, out.data);
          ctx.expectClose({ what: `x0^ (${prediction})`, actual: r.predX0, expected: x0.value, scale: x0.scale, floor: x0.floor, roundings: ROUNDINGS.predX0, shape });
          const mean = expectedPosteriorMean(s, t, x0, xt.data);
          ctx.expectClose({ what: `mean (${prediction})`, actual: r.mean, expected: mean.value, scale: mean.scale, floor: mean.floor, roundings: ROUNDINGS.pMean, shape });
          const v = perItem(t, xt.data.length, (u) => fixedVariance(variance, s, u));
          ctx.expectClose({ what: `variance (${variance})`, actual: r.variance, expected: v.value, scale: v.scale, floor: v.floor, roundings: roundingsFor('pVariance', backend.precision), shape });
          const lv = perItem(t, xt.data.length, (u) => fixedLogVariance(variance, s, u));
          ctx.expectClose({ what: `log-variance (${variance})`, actual: r.logVariance, expected: lv.value, scale: lv.scale, floor: lv.floor, roundings: roundingsFor('pVariance', backend.precision), shape });
        }),
        ctx.fastCheck(60),
      );
    },
  },
  {
    name: 'a perfect prediction of eps, x0 or v recovers x_0 and the posterior mean',
    kind: 'property',
    equation: 'out = eps | x_0 | sqrt(ab) eps - sqrt(1 - ab) x_0 at x_t = sqrt(ab) x_0 + sqrt(1 - ab) eps => x0^ = x_0, mu = mu~(x_0, x_t)',
    source: 'Ho et al. 2020, eqs. 4 and 7; Salimans & Ho 2022, sec. 4',
    requires: ['reverse'],
    async run(backend, ctx) {
      await fc.assert(
        fc.asyncProperty(batchCaseArbitrary(2), predictionArbitrary, async ({ schedule, shape, t, tensors: [x0, eps] }, prediction) => {
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
          const r = await backend.pMeanVariance({ schedule: await backend.schedule(schedule), xt: tensor(shape, xt.value), t, modelOutput: tensor(shape, target), options: { prediction } });
          // x_t and the target were rounded once more by the spec: their magnitudes feed the bound.
          const recovered = expectedX0(prediction, s, t, xt.scale, Float64Array.from(target, Math.abs));
          ctx.expectClose({ what: `x0^ from a perfect ${prediction}`, actual: r.predX0, expected: x0.data, scale: recovered.scale, floor: recovered.floor, roundings: ROUNDINGS.predX0 + ROUNDINGS.qSample, shape });
          const mean = expectedPosteriorMean(s, t, x0.data, xt.value);
          const meanBound = expectedPosteriorMean(s, t, recovered, xt.scale);
          ctx.expectClose({ what: `mean from a perfect ${prediction}`, actual: r.mean, expected: mean.value, scale: meanBound.scale, floor: meanBound.floor, roundings: ROUNDINGS.pMean + ROUNDINGS.qSample, shape });
        }),
        ctx.fastCheck(60),
      );
    },
  },
  {
    name: 'learned_range interpolates the log-variance between beta~_t (v = -1) and beta_t (v = +1)',
    kind: 'property',
    equation: 'log sigma^2 = frac log beta_t + (1 - frac) log beta~_t (clipped), frac = (v + 1)/2; the model output holds 2C channels',
    source: 'Nichol & Dhariwal 2021, eq. 15',
    requires: ['reverse'],
    async run(backend, ctx) {
      const arbitrary = batchCaseArbitrary(1, { minT: 2 }).chain((c) => {
        const doubled = [c.shape[0], 2 * c.shape[1], ...c.shape.slice(2)];
        const size = doubled.reduce((a, b) => a * b, 1);
        return fc.record({ c: fc.constant(c), out: fc.array(fc.double({ min: -1, max: 1, noNaN: true }), { minLength: size, maxLength: size }).map((d) => tensor(doubled, d)) });
      });
      await fc.assert(
        fc.asyncProperty(arbitrary, async ({ c: { schedule, shape, t, tensors: [xt] }, out }) => {
          const s = scheduleTables(schedule);
          const r = await backend.pMeanVariance({ schedule: await backend.schedule(schedule), xt, t, modelOutput: out, options: { variance: 'learned_range' } });
          const m = xt.data.length / shape[0];
          const channelBlock = m; // first C channels of each item are the prediction, the next C the v values
          const v = Float64Array.from({ length: xt.data.length }, (_, i) => out.data[Math.floor(i / m) * 2 * m + channelBlock + (i % m)]);
          const logBeta = perItem(t, v.length, (u) => Math.log(s.betas[u]));
          const logPosterior = perItem(t, v.length, (u) => s.posteriorLogVarianceClipped[u]);
          const value = v.map((vi, i) => ((vi + 1) / 2) * logBeta.value[i] + (1 - (vi + 1) / 2) * logPosterior.value[i]);
          const scale = v.map((vi, i) => Math.abs(logBeta.value[i]) + Math.abs(logPosterior.value[i]));
          const k = roundingsFor('pVariance', backend.precision);
          ctx.expectClose({ what: 'learned log-variance', actual: r.logVariance, expected: value, scale, roundings: k, shape });
          ctx.expectClose({ what: 'learned variance', actual: r.variance, expected: value.map(Math.exp), scale: value.map((lv, i) => Math.exp(lv) * (1 + scale[i])), roundings: k, shape });
        }),
        ctx.fastCheck(40),
      );
    },
  },
  {
    name: 'clipping bounds x0^ to [-1, 1] and the mean uses the clipped x0^',
    kind: 'property',
    equation: 'x0^ <- clip(x0^, -1, 1); mu = c1 clip(x0^) + c2 x_t',
    source: 'Ho et al. 2020, sec. 3.3 (data scaled to [-1, 1]); improved-diffusion clip_denoised',
    requires: ['reverse'],
    async run(backend, ctx) {
      await fc.assert(
        fc.asyncProperty(batchCaseArbitrary(2), predictionArbitrary, async ({ schedule, shape, t, tensors: [xt, out] }, prediction) => {
          const s = scheduleTables(schedule);
          const r = await backend.pMeanVariance({ schedule: await backend.schedule(schedule), xt, t, modelOutput: out, options: { prediction, clip: true } });
          const x0 = clipped(expectedX0(prediction, s, t, xt.data, out.data));
          if (r.predX0.data.some((v) => v < -1 || v > 1)) ctx.fail(`clipped x0^ leaves [-1, 1]: ${Array.from(r.predX0.data).find((v) => v < -1 || v > 1)}`);
          ctx.expectClose({ what: 'clipped x0^', actual: r.predX0, expected: x0.value, scale: x0.scale, floor: x0.floor, roundings: ROUNDINGS.predX0, shape });
          const mean = expectedPosteriorMean(s, t, x0, xt.data);
          ctx.expectClose({ what: 'mean at the clipped x0^', actual: r.mean, expected: mean.value, scale: mean.scale, floor: mean.floor, roundings: ROUNDINGS.pMean, shape });
        }),
        ctx.fastCheck(40),
      );
    },
  },
  {
    name: 'a DDPM step adds sigma_t z to the mean, and no noise at t = 1',
    kind: 'property',
    equation: 'x_{t-1} = mu_theta(x_t, t) + sigma_t z for t > 1; x_0 = mu_theta(x_1, 1)',
    source: 'Ho et al. 2020, Algorithm 2',
    requires: ['reverse'],
    async run(backend, ctx) {
      const arbitrary = fc.tuple(batchCaseArbitrary(3), fc.constantFrom<Exclude<VarianceType, 'learned_range'>>('fixed_small', 'fixed_large'), fc.boolean());
      await fc.assert(
        fc.asyncProperty(arbitrary, async ([{ schedule, shape, t, tensors: [xt, out, noise] }, variance, forceLastStep]) => {
          const s = scheduleTables(schedule);
          const steps = forceLastStep ? t.map(() => 1) : t;
          const r = await backend.ddpmStep({ schedule: await backend.schedule(schedule), xt, t: steps, modelOutput: out, noise, options: { variance } });
          const mean = expectedPosteriorMean(s, steps, expectedX0('eps', s, steps, xt.data, out.data), xt.data);
          const sigma = perItem(steps, xt.data.length, (u) => (u > 1 ? Math.sqrt(fixedVariance(variance, s, u)) : 0));
          const logVar = perItem(steps, xt.data.length, (u) => fixedLogVariance(variance, s, u));
          const value = mean.value.map((m, i) => m + sigma.value[i] * noise.data[i]);
          const scale = mean.scale.map((m, i) => m + sigma.value[i] * Math.abs(noise.data[i]) * (1 + Math.abs(logVar.value[i]) / 2));
          // Flushes: those reaching the mean, the noise, and the scaled noise sigma z itself.
          const floor = mean.floor.map((f, i) => f + sigma.value[i] + 1);
          ctx.expectClose({ what: `x_{t-1} (${variance})`, actual: r.prev, expected: value, scale, floor, roundings: roundingsFor('ddpmStep', backend.precision), shape });
        }),
        ctx.fastCheck(60),
      );
    },
  },
  {
    name: 'a DDIM step follows eq. 12 for any eta and earlier timestep',
    kind: 'property',
    equation: 'x_{t-1} = sqrt(ab_{t-1}) x0^ + sqrt(1 - ab_{t-1} - sigma^2) eps^ + sigma z, sigma = eta sqrt((1 - ab_{t-1})/(1 - ab_t)) sqrt(1 - ab_t/ab_{t-1})',
    source: 'Song et al. 2021, eqs. 12 and 16',
    requires: ['reverse'],
    async run(backend, ctx) {
      const arbitrary = batchCaseArbitrary(3).chain((c) => fc.record({ c: fc.constant(c), eta: fc.double({ min: 0, max: 1, noNaN: true }), back: fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: c.t.length, maxLength: c.t.length }) }));
      await fc.assert(
        fc.asyncProperty(arbitrary, async ({ c: { schedule, shape, t, tensors: [xt, out, noise] }, eta, back }) => {
          const s = scheduleTables(schedule);
          const tPrev = t.map((u, n) => Math.min(u - 1, Math.floor(back[n] * u)));
          const r = await backend.ddimStep({ schedule: await backend.schedule(schedule), xt, t, tPrev, modelOutput: out, noise, options: { eta } });
          const x0 = expectedX0('eps', s, t, xt.data, out.data);
          const prev = expectedDdim(s, t, tPrev, eta, x0, out.data, noise.data);
          ctx.expectClose({ what: `x_{t-1} (eta = ${eta})`, actual: r.prev, expected: prev.value, scale: prev.scale, floor: prev.floor, roundings: ROUNDINGS.ddimStep, shape });
        }),
        ctx.fastCheck(60),
      );
    },
  },
  {
    name: 'DDIM with eta = 1 and the previous timestep equals the DDPM step with fixed_small',
    kind: 'property',
    equation: 'sigma_t(eta = 1)^2 = beta~_t and the DDIM mean equals mu~_t(x0^, x_t) when tPrev = t - 1',
    source: 'Song et al. 2021, sec. 4.1 (eta = 1 is DDPM)',
    requires: ['reverse'],
    async run(backend, ctx) {
      await fc.assert(
        fc.asyncProperty(batchCaseArbitrary(3), async ({ schedule, shape, t, tensors: [xt, out, noise] }) => {
          const s = scheduleTables(schedule);
          const backendSchedule = await backend.schedule(schedule);
          const ddim = await backend.ddimStep({ schedule: backendSchedule, xt, t, tPrev: t.map((u) => u - 1), modelOutput: out, noise, options: { eta: 1 } });
          const ddpm = await backend.ddpmStep({ schedule: backendSchedule, xt, t, modelOutput: out, noise });
          ctx.expectShape('DDPM x_{t-1}', ddpm.prev, shape);
          const x0 = expectedX0('eps', s, t, xt.data, out.data);
          const bound = expectedDdim(s, t, t.map((u) => u - 1), 1, x0, out.data, noise.data).scale;
          ctx.expectClose({ what: 'DDIM(eta = 1) vs DDPM x_{t-1}', actual: ddim.prev, expected: ddpm.prev.data, scale: bound, roundings: ROUNDINGS.ddimStep + roundingsFor('ddpmStep', backend.precision), shape });
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
    async run(backend, ctx) {
      await fc.assert(
        fc.asyncProperty(batchCaseArbitrary(4), async ({ schedule, t, tensors: [xt, out, a, b] }) => {
          const backendSchedule = await backend.schedule(schedule);
          const tPrev = t.map((u) => u - 1);
          const first = await backend.ddimStep({ schedule: backendSchedule, xt, t, tPrev, modelOutput: out, noise: a, options: { eta: 0 } });
          const second = await backend.ddimStep({ schedule: backendSchedule, xt, t, tPrev, modelOutput: out, noise: b, options: { eta: 0 } });
          const i = first.prev.data.findIndex((v, j) => v !== second.prev.data[j]);
          if (i >= 0) ctx.fail(`x_{t-1}[${i}] depends on the noise: ${first.prev.data[i]} vs ${second.prev.data[i]}`);
        }),
        ctx.fastCheck(30),
      );
    },
  },
  {
    name: 'the DDIM reverse step inverts the DDIM step for the same eps',
    kind: 'property',
    equation: 'x_{t-1} = sqrt(ab_{t-1}) x0^ + sqrt(1 - ab_{t-1}) eps, then x_t = sqrt(ab_t) x0^(x_{t-1}, eps) + sqrt(1 - ab_t) eps',
    source: 'Song et al. 2021, eq. 12 with sigma = 0 and sec. 4.3 (DDIM as an invertible ODE discretisation)',
    requires: ['reverse'],
    async run(backend, ctx) {
      await fc.assert(
        fc.asyncProperty(batchCaseArbitrary(2, { tMin: 2 }), async ({ schedule, shape, t, tensors: [xt, eps] }) => {
          const s = scheduleTables(schedule);
          const backendSchedule = await backend.schedule(schedule);
          const tPrev = t.map((u) => u - 1);
          const { prev } = await backend.ddimStep({ schedule: backendSchedule, xt, t, tPrev, modelOutput: eps });
          const { next } = await backend.ddimReverseStep({ schedule: backendSchedule, xt: prev, t: tPrev, tNext: t, modelOutput: eps });
          // Magnitudes through both steps: x0^ at t, x_{t-1}, x0^ at t - 1, x_t again.
          const x0 = expectedX0('eps', s, t, xt.data, eps.data);
          const back = expectedDdim(s, t, tPrev, 0, x0, eps.data, eps.data);
          const x0Again = expectedX0('eps', s, tPrev, back.scale, eps.data);
          const scale = combine(shape[0], [
            { coef: atT(t, (u) => Math.sqrt(s.alphaBar[u])), x: x0Again },
            { coef: atT(t, (u) => Math.sqrt(s.oneMinusAlphaBar[u])), x: eps.data },
          ]).scale;
          ctx.expectClose({ what: 'x_t after step and reverse step', actual: next, expected: xt.data, scale, roundings: ROUNDINGS.ddimStep + ROUNDINGS.ddimReverseStep, shape });
        }),
        ctx.fastCheck(60),
      );
    },
  },
  {
    name: 'DDIM with clipping recomputes eps from the clipped x0^',
    kind: 'property',
    equation: 'x0^ <- clip(x0^); eps^ = (x_t - sqrt(ab_t) x0^)/sqrt(1 - ab_t); x_{t-1} = sqrt(ab_{t-1}) x0^ + sqrt(1 - ab_{t-1}) eps^',
    source: "improved-diffusion ddim_sample (_predict_eps_from_xstart); diffusers' DDIMScheduler keeps the model's eps by default",
    requires: ['reverse'],
    async run(backend, ctx) {
      await fc.assert(
        fc.asyncProperty(batchCaseArbitrary(2), predictionArbitrary, async ({ schedule, shape, t, tensors: [xt, out] }, prediction) => {
          const s = scheduleTables(schedule);
          const tPrev = t.map((u) => u - 1);
          const r = await backend.ddimStep({ schedule: await backend.schedule(schedule), xt, t, tPrev, modelOutput: out, options: { prediction, clip: true } });
          const x0 = clipped(expectedX0(prediction, s, t, xt.data, out.data));
          const eps = expectedEpsFromX0(s, t, xt.data, x0);
          const prev = expectedDdim(s, t, tPrev, 0, x0, eps, new Float64Array(xt.data.length));
          ctx.expectClose({ what: 'x_{t-1} with clipped x0^', actual: r.prev, expected: prev.value, scale: prev.scale, floor: prev.floor, roundings: ROUNDINGS.ddimStep, shape });
        }),
        ctx.fastCheck(40),
      );
    },
  },
]);
