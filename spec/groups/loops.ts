// The loops on identical inputs: forwardChain, sampleDdpm and sampleDdim against the float64 recursion of
// their steps, driven by the backend's own noise. The contract fixes the loops' noise streams (x_T draws
// stream 0, the step from timestep t draws stream t, forwardChain's step t draws stream t), so the spec can
// ask the backend's randomNormal for the very values its loop drew, whatever generator it uses. The sampling
// group composes the default loops (eps, fixed_small; DDIM with eta = 0); this group adds forwardChain, every
// prediction, variance and clipping option, and DDIM with eta > 0, whose steps draw noise too.
//   x_t = sqrt(1 - beta_t) x_{t-1} + sqrt(beta_t) z_t                                   (Ho et al. 2020, eq. 2)
//   x_{t-1} = mu(x_t, x0^) + [t > 1] sigma_t z_t, mu = c1 x0^ + c2 x_t                  (Ho et al. 2020, Algorithm 2, eq. 7)
//   x_{t'} = sqrt(ab_{t'}) x0^ + sqrt(1 - ab_{t'} - s^2) eps^ + s z,
//   s = eta sqrt((1 - ab_{t'}) / (1 - ab_t)) sqrt(1 - ab_t / ab_{t'})                      (Song et al. 2021, eqs. 12 and 16)
// The error bound accumulates: each step adds its own roundings on top of the running magnitude of x, which
// carries every earlier error forward with the steps' coefficients (Higham, sec. 3.1), so k = steps x per step.
import fc from 'fast-check';
import type { DiffusionBackend, ReverseOptions } from '../../src/contract/backend.js';
import type { PredictionType } from '../../src/equations/prediction.js';
import type { VarianceType } from '../../src/equations/variance.js';
import { SEED_SCHEDULE } from '../../src/schedule/spec.js';
import { scheduleTables, type ScheduleTables } from '../../src/schedule/tables.js';
import { defineGroup } from '../../src/speckit/check.js';
import { loopRoundings, MODEL_OUTPUT_ROUNDINGS, ROUNDINGS, roundingsFor } from '../../src/speckit/tolerance.js';
import { tensor, type Tensor } from '../../src/tensor.js';
import { valueArbitrary } from '../arbitraries/batch.js';
import { combine, type Expected } from '../../src/speckit/combination.js';
import { clipped } from '../support/reverse.js';

const SHAPE = [3, 2, 2, 5];
const SIZE = SHAPE.reduce((a, b) => a * b);

const exact = (x: ArrayLike<number>): Expected => ({ value: Float64Array.from(x), scale: Float64Array.from(x, Math.abs), floor: new Float64Array(x.length).fill(1) });
const scaled = (e: Expected, c: number): Expected => combine(SHAPE[0], [{ coef: new Array(SHAPE[0]).fill(c), x: e }]);
const sum = (terms: { coef: number; x: Expected }[]): Expected => combine(SHAPE[0], terms.map(({ coef, x }) => ({ coef: new Array(SHAPE[0]).fill(coef), x })));

/**
 * A model linear in x_t: the optimal prediction for data N(0, d^2) (Tweedie's formula), eps* = sqrt(1 - ab) x / (ab d^2 + 1 - ab),
 * x0* = sqrt(ab) d^2 x / (ab d^2 + 1 - ab), v* = sqrt(ab) eps* - sqrt(1 - ab) x0*. Returns the gain g with output = g x_t.
 */
function gain(s: ScheduleTables, t: number, prediction: PredictionType, d: number): number {
  const ab = s.alphaBar[t];
  const variance = ab * d * d + s.oneMinusAlphaBar[t];
  const eps = Math.sqrt(s.oneMinusAlphaBar[t]) / variance;
  const x0 = (Math.sqrt(ab) * d * d) / variance;
  return prediction === 'eps' ? eps : prediction === 'x0' ? x0 : Math.sqrt(ab) * eps - Math.sqrt(s.oneMinusAlphaBar[t]) * x0;
}

/** x0^ from x_t and the model output (Ho et al. 2020, eq. 4 solved for x_0; Salimans & Ho 2022 for v), clipped if asked. */
function predictX0(s: ScheduleTables, t: number, x: Expected, out: Expected, o: Required<Pick<ReverseOptions, 'prediction' | 'clip'>>): Expected {
  const ab = s.alphaBar[t];
  const x0 =
    o.prediction === 'eps'
      ? sum([{ coef: 1 / Math.sqrt(ab), x }, { coef: -Math.sqrt(s.oneMinusAlphaBar[t]) / Math.sqrt(ab), x: out }])
      : o.prediction === 'v'
        ? sum([{ coef: Math.sqrt(ab), x }, { coef: -Math.sqrt(s.oneMinusAlphaBar[t]), x: out }])
        : out;
  return o.clip ? clipped(x0) : x0;
}

/** The model the loops call, recording nothing: output = g(t) x_t computed in float64 from the backend's x_t. */
const linearModel = (s: ScheduleTables, prediction: PredictionType, d: number) => (xt: Tensor, t: Int32Array) =>
  tensor(xt.shape, Float64Array.from(xt.data, (v) => gain(s, t[0], prediction, d) * v));

const noiseOf = async (backend: DiffusionBackend, seed: number, stream: number): Promise<Expected> => exact((await backend.randomNormal({ shape: SHAPE, seed, stream })).data);

const reverseArbitrary = fc.record({
  prediction: fc.constantFrom<PredictionType>('eps', 'x0', 'v'),
  clip: fc.boolean(),
  seed: fc.nat(),
  /** The data scale d of the model's Gaussian. */
  d: fc.double({ min: 0.1, max: 3, noNaN: true }),
});

export const loopsGroup = defineGroup('loops', "The loops on identical inputs: the float64 recursion of their steps with the backend's own noise", [
  {
    name: "forwardChain equals the float64 recursion of forward steps with the backend's noise streams",
    kind: 'property',
    equation: 'x_s = sqrt(1 - beta_s) x_{s-1} + sqrt(beta_s) z_s, z_s = randomNormal(seed, stream s), s = 1..t',
    source: 'Ho et al. 2020, eq. 2',
    requires: ['forward', 'random'],
    async run(backend, ctx) {
      const tables = scheduleTables(SEED_SCHEDULE);
      const schedule = await backend.schedule(SEED_SCHEDULE);
      const arbitrary = fc.record({ t: fc.integer({ min: 1, max: tables.T }), seed: fc.nat(), x0: fc.array(valueArbitrary, { minLength: SIZE, maxLength: SIZE }) });
      await fc.assert(
        fc.asyncProperty(arbitrary, async ({ t, seed, x0 }) => {
          const recordAt = [0, Math.ceil(t / 2), t];
          const { xt, recorded } = await backend.forwardChain({ schedule, x0: tensor(SHAPE, x0), t, seed, recordAt });
          let x = exact(x0);
          const expected = new Map<number, Expected>([[0, x]]);
          for (let s = 1; s <= t; s++) {
            x = sum([{ coef: Math.sqrt(tables.alphas[s]), x }, { coef: Math.sqrt(tables.betas[s]), x: await noiseOf(backend, seed, s) }]);
            expected.set(s, x);
          }
          for (const r of [...recorded, { t, x: xt }]) {
            const e = expected.get(r.t);
            if (!e) return ctx.fail(`forwardChain recorded t = ${r.t}, which was not asked for (recordAt ${recordAt.join(', ')})`);
            const roundings = loopRoundings(r.t, ROUNDINGS.forwardStep);
            const { value, scale, floor } = e;
            ctx.expectClose({ what: `forwardChain x_${r.t}`, actual: r.x, expected: value, scale, floor, roundings, shape: SHAPE });
          }
        }),
        ctx.fastCheck(8),
      );
    },
  },
  {
    name: "sampleDdpm equals the float64 recursion of DDPM steps with the backend's noise streams",
    kind: 'property',
    equation: 'x_T = z_0; x_{t-1} = c1 x0^(x_t) + c2 x_t + [t > 1] sigma_t z_t, z_t = randomNormal(seed, stream t); sigma^2 = beta~_t (fixed_small) or beta_t (fixed_large)',
    source: 'Ho et al. 2020, Algorithm 2 and eq. 7',
    requires: ['sampling', 'random'],
    async run(backend, ctx) {
      const tables = scheduleTables(SEED_SCHEDULE);
      const schedule = await backend.schedule(SEED_SCHEDULE);
      const perStep = roundingsFor('ddpmStep', backend.precision) + MODEL_OUTPUT_ROUNDINGS;
      await fc.assert(
        fc.asyncProperty(reverseArbitrary, fc.constantFrom<VarianceType>('fixed_small', 'fixed_large'), async ({ prediction, clip, seed, d }, variance) => {
          const options: ReverseOptions = { prediction, clip, variance };
          const actual = await backend.sampleDdpm({ schedule, shape: SHAPE, model: linearModel(tables, prediction, d), seed, options });
          let x = await noiseOf(backend, seed, 0);
          for (let t = tables.T; t >= 1; t--) {
            const x0 = predictX0(tables, t, x, scaled(x, gain(tables, t, prediction, d)), { prediction, clip });
            const mean = sum([{ coef: tables.posteriorMeanCoefX0[t], x: x0 }, { coef: tables.posteriorMeanCoefXt[t], x }]);
            const sigma = t > 1 ? Math.sqrt(variance === 'fixed_small' ? tables.posteriorVariance[t] : tables.betas[t]) : 0;
            x = t > 1 ? sum([{ coef: 1, x: mean }, { coef: sigma, x: await noiseOf(backend, seed, t) }]) : mean;
          }
          const roundings = loopRoundings(tables.T, perStep);
          const { value: expected, scale, floor } = x;
          ctx.expectClose({ what: 'sampleDdpm x_0', actual, expected, scale, floor, roundings, shape: SHAPE });
        }),
        ctx.fastCheck(6),
      );
    },
  },
  {
    name: "sampleDdim equals the float64 recursion of DDIM steps with the backend's noise streams",
    kind: 'property',
    equation: "x_T = z_0; x_{t'} = sqrt(ab_{t'}) x0^ + sqrt(1 - ab_{t'} - s^2) eps^ + s z_t, z_t = randomNormal(seed, stream t); the last step goes to t' = 0",
    source: 'Song et al. 2021, eqs. 12 and 16',
    requires: ['sampling', 'random'],
    async run(backend, ctx) {
      const tables = scheduleTables(SEED_SCHEDULE);
      const schedule = await backend.schedule(SEED_SCHEDULE);
      const perStep = roundingsFor('ddimStep', backend.precision) + MODEL_OUTPUT_ROUNDINGS;
      const timestepsArbitrary = fc.uniqueArray(fc.integer({ min: 1, max: tables.T }), { minLength: 1, maxLength: 25 }).map((ts) => ts.sort((a, b) => b - a));
      await fc.assert(
        fc.asyncProperty(reverseArbitrary, timestepsArbitrary, fc.constantFrom(0, 0.5, 1), async ({ prediction, clip, seed, d }, timesteps, eta) => {
          const options: ReverseOptions = { prediction, clip, eta };
          const actual = await backend.sampleDdim({ schedule, shape: SHAPE, model: linearModel(tables, prediction, d), seed, timesteps, options });
          let x = await noiseOf(backend, seed, 0);
          for (const [i, t] of timesteps.entries()) {
            const tPrev = timesteps[i + 1] ?? 0;
            const out = scaled(x, gain(tables, t, prediction, d));
            const x0 = predictX0(tables, t, x, out, { prediction, clip });
            // eps^: the model's own for an unclipped eps prediction, else recomputed from x0^ (improved-diffusion).
            const eps = prediction === 'eps' && !clip ? out : sum([{ coef: 1 / Math.sqrt(tables.oneMinusAlphaBar[t]), x }, { coef: -Math.sqrt(tables.alphaBar[t]) / Math.sqrt(tables.oneMinusAlphaBar[t]), x: x0 }]);
            const abPrev = tables.alphaBar[tPrev];
            const oneMinusAbPrev = tables.oneMinusAlphaBar[tPrev];
            const s = eta * Math.sqrt(oneMinusAbPrev / tables.oneMinusAlphaBar[t]) * Math.sqrt(1 - tables.alphaBar[t] / abPrev);
            const terms = [{ coef: Math.sqrt(abPrev), x: x0 }, { coef: Math.sqrt(Math.max(0, oneMinusAbPrev - s * s)), x: eps }];
            if (s > 0) terms.push({ coef: s, x: await noiseOf(backend, seed, t) });
            x = sum(terms);
          }
          const roundings = loopRoundings(timesteps.length, perStep);
          const { value: expected, scale, floor } = x;
          ctx.expectClose({ what: 'sampleDdim x_0', actual, expected, scale, floor, roundings, shape: SHAPE });
        }),
        ctx.fastCheck(12),
      );
    },
  },
]);
