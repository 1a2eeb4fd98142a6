// The loops on identical inputs: forwardChain, sampleDdpm and sampleDdim against the float64 recursion of
// their steps, driven by the backend's own noise. The contract fixes the loops' noise streams (x_T draws
// stream 0, the step from timestep t draws stream t, forwardChain's step t draws stream t), so the spec can
// ask the backend's randomNormal for the very values its loop drew, whatever generator it uses. The sampling
// group composes the default loops (eps, fixed_small; DDIM with eta = 0); this group adds forwardChain, every
// prediction, variance and clipping option, and DDIM with eta > 0, whose steps draw noise too.
//   x_t = sqrt(1 - beta_t) x_{t-1} + sqrt(beta_t) z_t                                   (Ho et al. 2020, eq. 2)
//   x_{t-1} = mu(x_t, x0^) + [t > 1] sigma_t z_t, mu = c1 x0^ + c2 x_t                  (Ho et al. 2020,
// Algorithm 2, eq. 7)   x_{t'} = sqrt(ab_{t'}) x0^ + sqrt(1 - ab_{t'} - s^2) eps^ + s z,   s = eta sqrt((1 -
// ab_{t'}) / (1 - ab_t)) sqrt(1 - ab_t / ab_{t'})                      (Song et al. 2021, eqs. 12 and 16) The
// error bound accumulates: each step adds its own roundings on top of the running magnitude of x, which carries
// every earlier error forward with the steps' coefficients (Higham, sec. 3.1), so k = steps x per step.
import fc from 'fast-check';
import type { DiffusionBackend, ReverseOptions } from '../../src/contract/backend.js';
import type { ConventionFlags } from '../../src/conventions/profile.js';
import type { PredictionType } from '../../src/equations/prediction.js';
import { type ScheduleSpec, SEED_SCHEDULE } from '../../src/schedule/spec.js';
import { type ScheduleTables, scheduleTables } from '../../src/schedule/tables.js';
import { defineGroup } from '../../src/speckit/check.js';
import { combine, type Expected } from '../../src/speckit/combination.js';
import type { SpecContext } from '../../src/speckit/context.js';
import { loopRoundings, MODEL_OUTPUT_ROUNDINGS, ROUNDINGS, roundingsFor } from '../../src/speckit/tolerance.js';
import { type Tensor, tensor } from '../../src/tensor.js';
import { valueArbitrary } from '../arbitraries/batch.js';
import { uniformArbitrary } from '../arbitraries/uniform.js';
import { forEachOption, optionGrid } from '../support/options.js';
import { clipped, ddimCoefficients, learnedRangeOutput, reverseLogBetaTilde } from '../support/reverse.js';

const SHAPE = [3, 2, 2, 5];
const SIZE = SHAPE.reduce((a, b) => a * b);
/** The DDPM loop runs once per option combination (18): a short schedule keeps the steps near 100 x 6 as before. */
const GRID_SCHEDULE: ScheduleSpec = { kind: 'linear', T: 25, betaStart: 1e-4, betaEnd: 0.2 };
/** At most this many DDIM steps per option combination (36). */
const MAX_DDIM_STEPS = 8;

type Options = Required<Omit<ReverseOptions, 'eta'>>;

const exact = (x: ArrayLike<number>): Expected => ({
  value: Float64Array.from(x),
  scale: Float64Array.from(x, Math.abs),
  floor: new Float64Array(x.length).fill(1),
});
const scaled = (e: Expected, c: number): Expected => combine(SHAPE[0], [{ coef: new Array(SHAPE[0]).fill(c), x: e }]);
const sum = (terms: { coef: number; x: Expected }[]): Expected =>
  combine(
    SHAPE[0],
    terms.map(({ coef, x }) => ({ coef: new Array(SHAPE[0]).fill(coef), x })),
  );

/**
 * A model linear in x_t: the optimal prediction for data N(0, d^2) (Tweedie's formula),
 * eps* = sqrt(1 - ab) x / (ab d^2 + 1 - ab), x0* = sqrt(ab) d^2 x / (ab d^2 + 1 - ab),
 * v* = sqrt(ab) eps* - sqrt(1 - ab) x0*. Returns the gain g with output = g x_t.
 */
function gain(s: ScheduleTables, t: number, prediction: PredictionType, d: number): number {
  const ab = s.alphaBar[t];
  const variance = ab * d * d + s.oneMinusAlphaBar[t];
  const eps = Math.sqrt(s.oneMinusAlphaBar[t]) / variance;
  const x0 = (Math.sqrt(ab) * d * d) / variance;
  return prediction === 'eps'
    ? eps
    : prediction === 'x0'
      ? x0
      : Math.sqrt(ab) * eps - Math.sqrt(s.oneMinusAlphaBar[t]) * x0;
}

/**
 * x0^ from x_t and the model output (Ho et al. 2020, eq. 4 solved for x_0; Salimans & Ho 2022 for v), clipped if asked.
 */
function predictX0(
  s: ScheduleTables,
  t: number,
  x: Expected,
  out: Expected,
  o: Required<Pick<ReverseOptions, 'prediction' | 'clip'>>,
): Expected {
  const ab = s.alphaBar[t];
  const x0 =
    o.prediction === 'eps'
      ? sum([
          { coef: 1 / Math.sqrt(ab), x },
          { coef: -Math.sqrt(s.oneMinusAlphaBar[t]) / Math.sqrt(ab), x: out },
        ])
      : o.prediction === 'v'
        ? sum([
            { coef: Math.sqrt(ab), x },
            { coef: -Math.sqrt(s.oneMinusAlphaBar[t]), x: out },
          ])
        : out;
  return o.clip ? clipped(x0) : x0;
}

/**
 * The model the loops call, recording nothing: output = g(t) x_t computed in float64 from the backend's x_t; under
 * learned_range followed by the fixed v channels (raw values, tanh applied by learnedRangeOutput).
 */
function linearModel(s: ScheduleTables, o: Pick<Options, 'prediction' | 'variance'>, d: number, vRaw: number[]) {
  return (xt: Tensor, t: Int32Array) => {
    const out = tensor(
      xt.shape,
      Float64Array.from(xt.data, (v) => gain(s, t[0], o.prediction, d) * v),
    );
    return o.variance === 'learned_range' ? learnedRangeOutput(out, tensor(xt.shape, vRaw)) : out;
  };
}

/**
 * sigma_t z elementwise for learned_range: log sigma^2 = frac log beta_t + (1 - frac) log beta~_t, frac = (v + 1)/2
 * (Nichol & Dhariwal 2021, eq. 15); the backend's exp of its rounded log-variance errs by
 * sigma |z| (|log beta| + |log beta~|) / 2.
 */
function learnedNoise(s: ScheduleTables, t: number, v: number[], z: Expected, c: ConventionFlags): Expected {
  const logBeta = Math.log(s.betas[t]);
  const logPosterior = reverseLogBetaTilde(s, t, c);
  const frac = v.map((raw) => (Math.tanh(raw) + 1) / 2);
  const sigma = frac.map((f) => Math.exp((f * logBeta + (1 - f) * logPosterior) / 2));
  return {
    value: z.value.map((zi, i) => sigma[i] * zi),
    scale: z.scale.map((zi, i) => sigma[i] * zi * (1 + (Math.abs(logBeta) + Math.abs(logPosterior)) / 2)),
    floor: z.floor.map((f, i) => sigma[i] * f + 1),
  };
}

/** ctx.expectClose of a loop's output against the float64 recursion. */
function expectLoop(ctx: SpecContext, what: string, actual: Tensor, e: Expected, roundings: number) {
  ctx.expectClose({ what, actual, expected: e.value, scale: e.scale, floor: e.floor, roundings, shape: SHAPE });
}

const noiseOf = async (backend: DiffusionBackend, seed: number, stream: number): Promise<Expected> =>
  exact((await backend.randomNormal({ shape: SHAPE, seed, stream })).data);

/** The data; the options come from the grid. */
const loopArbitrary = fc.record({
  seed: fc.nat(),
  /** The data scale d of the model's Gaussian. */
  d: uniformArbitrary(0.1, 3),
  /** learned_range's v channels, before tanh. */
  vRaw: fc.array(uniformArbitrary(-3, 3), { minLength: SIZE, maxLength: SIZE }),
});

export const loopsGroup = defineGroup(
  'loops',
  "The loops on identical inputs: the float64 recursion of their steps with the backend's own noise",
  [
    {
      name: "forwardChain is the float64 recursion on the backend's noise and records the steps asked for",
      kind: 'property',
      equation:
        'x_s = sqrt(1 - beta_s) x_{s-1} + sqrt(beta_s) z_s, z_s = randomNormal(seed, stream s), s = 1..t; ' +
        'recorded = {(s, x_s) : s in recordAt}',
      source: 'Ho et al. 2020, eq. 2',
      requires: ['forward', 'random'],
      reads: ['forwardChain.xt', 'forwardChain.recorded'],
      async run(backend, ctx) {
        const tables = scheduleTables(SEED_SCHEDULE);
        const schedule = await backend.schedule(SEED_SCHEDULE);
        // Always the ends 0 (x_0 itself) and t, with up to three steps between in any order.
        const inner = (t: number) =>
          t > 1 ? fc.uniqueArray(fc.integer({ min: 1, max: t - 1 }), { maxLength: 3 }) : fc.constant([]);
        const x0Arbitrary = fc.array(valueArbitrary, { minLength: SIZE, maxLength: SIZE });
        const arbitrary = fc
          .record({ t: fc.integer({ min: 1, max: tables.T }), seed: fc.nat(), x0: x0Arbitrary })
          .chain((c) => fc.record({ c: fc.constant(c), recordAt: inner(c.t).map((steps) => [0, ...steps, c.t]) }));
        await fc.assert(
          fc.asyncProperty(arbitrary, async ({ c: { t, seed, x0 }, recordAt }) => {
            const { xt, recorded } = await backend.forwardChain({ schedule, x0: tensor(SHAPE, x0), t, seed, recordAt });
            const steps = recorded.map((r) => r.t).sort((a, b) => a - b);
            const asked = [...recordAt].sort((a, b) => a - b);
            if (steps.join() !== asked.join()) ctx.fail(`forwardChain recorded steps [${steps}], asked for [${asked}]`);
            let x = exact(x0);
            const expected = new Map<number, Expected>([[0, x]]);
            for (let s = 1; s <= t; s++) {
              x = sum([
                { coef: Math.sqrt(tables.alphas[s]), x },
                { coef: Math.sqrt(tables.betas[s]), x: await noiseOf(backend, seed, s) },
              ]);
              expected.set(s, x);
            }
            for (const r of [...recorded, { t, x: xt }]) {
              const e = expected.get(r.t)!;
              expectLoop(ctx, `forwardChain x_${r.t}`, r.x, e, loopRoundings(r.t, ROUNDINGS.forwardStep));
            }
          }),
          ctx.fastCheck(8),
        );
      },
    },
    {
      name: "sampleDdpm is the float64 recursion of DDPM steps on the backend's noise, under every option",
      reads: ['sampleDdpm.x0'],
      kind: 'property',
      equation:
        'x_T = z_0; x_{t-1} = c1 x0^(x_t) + c2 x_t + [t > 1] sigma_t z_t, z_t = randomNormal(seed, stream t); ' +
        'sigma^2 = beta~_t (fixed_small), beta_t (fixed_large) or learned_range',
      source: 'Ho et al. 2020, Algorithm 2 and eq. 7; Nichol & Dhariwal 2021, eq. 15',
      requires: ['sampling', 'random'],
      async run(backend, ctx) {
        const tables = scheduleTables(GRID_SCHEDULE);
        const schedule = await backend.schedule(GRID_SCHEDULE);
        const perStep = roundingsFor('ddpmStep', backend.precision) + MODEL_OUTPUT_ROUNDINGS;
        await forEachOption(ctx, optionGrid(), loopArbitrary, 1, async ({ seed, d, vRaw }, options) => {
          const { prediction, clip, variance } = options;
          const model = linearModel(tables, options, d, vRaw);
          const actual = await backend.sampleDdpm({ schedule, shape: SHAPE, model, seed, options });
          let x = await noiseOf(backend, seed, 0);
          for (let t = tables.T; t >= 1; t--) {
            const x0 = predictX0(tables, t, x, scaled(x, gain(tables, t, prediction, d)), { prediction, clip });
            const mean = sum([
              { coef: tables.posteriorMeanCoefX0[t], x: x0 },
              { coef: tables.posteriorMeanCoefXt[t], x },
            ]);
            if (t === 1) {
              x = mean;
              continue;
            }
            const z = await noiseOf(backend, seed, t);
            if (variance === 'learned_range') {
              x = sum([
                { coef: 1, x: mean },
                { coef: 1, x: learnedNoise(tables, t, vRaw, z, ctx.conventions) },
              ]);
            } else {
              const sigma = Math.sqrt(variance === 'fixed_small' ? tables.posteriorVariance[t] : tables.betas[t]);
              x = sum([
                { coef: 1, x: mean },
                { coef: sigma, x: z },
              ]);
            }
          }
          expectLoop(ctx, 'sampleDdpm x_0', actual, x, loopRoundings(tables.T, perStep));
        });
      },
    },
    {
      name: "sampleDdim is the float64 recursion of DDIM steps on the backend's noise, every option and eta",
      reads: ['sampleDdim.x0'],
      kind: 'property',
      equation:
        "x_T = z_0; x_{t'} = sqrt(ab_{t'}) x0^ + sqrt(1 - ab_{t'} - s^2) eps^ + s z_t, z_t = randomNormal(seed, stream t); the last step goes to t' = 0",
      source: 'Song et al. 2021, eqs. 12 and 16',
      requires: ['sampling', 'random'],
      async run(backend, ctx) {
        const tables = scheduleTables(SEED_SCHEDULE);
        const schedule = await backend.schedule(SEED_SCHEDULE);
        const perStep = roundingsFor('ddimStep', backend.precision) + MODEL_OUTPUT_ROUNDINGS;
        const timestepsArbitrary = fc
          .uniqueArray(fc.integer({ min: 1, max: tables.T }), { minLength: 1, maxLength: MAX_DDIM_STEPS })
          .map((ts) => ts.sort((a, b) => b - a));
        // learned_range only adds the v channels the DDIM loop must ignore.
        const grid = optionGrid({ variance: ['fixed_small', 'learned_range'] }, [0, 'between', 1]);
        const data = fc.tuple(loopArbitrary, timestepsArbitrary);
        await forEachOption(ctx, grid, data, 1, async ([{ seed, d, vRaw }, timesteps], options) => {
          const { prediction, clip, eta } = options;
          const model = linearModel(tables, options, d, vRaw);
          const actual = await backend.sampleDdim({ schedule, shape: SHAPE, model, seed, timesteps, options });
          let x = await noiseOf(backend, seed, 0);
          for (const [i, t] of timesteps.entries()) {
            const tPrev = timesteps[i + 1] ?? 0;
            const out = scaled(x, gain(tables, t, prediction, d));
            const x0 = predictX0(tables, t, x, out, { prediction, clip });
            // eps^: the model's own for an unclipped eps prediction, else recomputed from x0^: the clipped one
            // (improved-diffusion), or the unclipped one under the profile's 'unclipped-x0' (diffusers).
            const fromUnclipped = !clip || ctx.conventions.ddimEps === 'unclipped-x0';
            const epsX0 = fromUnclipped ? predictX0(tables, t, x, out, { prediction, clip: false }) : x0;
            const fromX0 = [
              { coef: 1 / Math.sqrt(tables.oneMinusAlphaBar[t]), x },
              { coef: -Math.sqrt(tables.alphaBar[t]) / Math.sqrt(tables.oneMinusAlphaBar[t]), x: epsX0 },
            ];
            const eps = prediction === 'eps' && fromUnclipped ? out : sum(fromX0);
            const c = ddimCoefficients(tables, t, tPrev, eta, ctx.conventions);
            const terms = [
              { coef: c.x0, x: x0 },
              { coef: c.eps, x: eps },
            ];
            if (c.noise > 0) terms.push({ coef: c.noise, x: await noiseOf(backend, seed, t) });
            x = sum(terms);
          }
          expectLoop(ctx, 'sampleDdim x_0', actual, x, loopRoundings(timesteps.length, perStep));
        });
      },
    },
  ],
);
