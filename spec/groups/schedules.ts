// Variance schedule specs.
//   alpha_t = 1 - beta_t, alpha-bar_t = prod_{s<=t} alpha_s, alpha-bar_0 = 1             (Ho et al. 2020, sec. 2)
//   linear: beta = linspace(beta_1, beta_T, T)                                           (Ho et al. 2020, sec. 4)
//   cosine: alpha-bar(t) = f(t)/f(0), f(t) = cos^2(((t/T + s)/(1 + s)) pi/2), betas clipped at 0.999
// (Nichol & Dhariwal 2021, eq. 17)   quadratic: beta = linspace(sqrt(beta_1), sqrt(beta_T), T)^2
// (diffusers "scaled_linear")   sigmoid: beta = sigmoid(linspace(a, b, T)) (beta_T - beta_1) +
// beta_1                 (Xu et al. 2022, GeoDiff)   beta~_t = (1 - alpha-bar_{t-1}) / (1 -
// alpha-bar_t) beta_t                           (Ho et al. 2020, eq. 7)   SNR_t = alpha-bar_t / (1 -
// alpha-bar_t)                                               (Kingma et al. 2021, eq. 2)
import fc from 'fast-check';
import { DiffspecInputError } from '../../src/errors.js';
import { cosineTheta } from '../../src/schedule/cosine.js';
import { type OracleTables, oracleTables } from '../../src/schedule/oracle.js';
import type { ScheduleSpec } from '../../src/schedule/spec.js';
import {
  COSINE_DEFAULT_MAX_BETA,
  COSINE_DEFAULT_S,
  DDPM_SCHEDULE,
  SEED_SCHEDULE,
  SIGMOID_DEFAULT_RANGE,
} from '../../src/schedule/spec.js';
import type { ScheduleTables } from '../../src/schedule/tables.js';
import { defineGroup } from '../../src/speckit/check.js';
import type { SpecContext } from '../../src/speckit/context.js';
import { productRoundings } from '../../src/speckit/tolerance.js';
import { scheduleOptionsArbitrary } from '../arbitraries/schedule.js';

/**
 * Error of linspace(start, stop, n)_i = start + i step (step = (stop - start) / (n - 1)), in u: 4 (|start| + i |step|).
 */
function linspaceError(start: number, stop: number, n: number, i: number): number {
  return n === 1 ? 0 : 4 * (Math.abs(start) + (i * Math.abs(stop - start)) / (n - 1));
}

/**
 * Per t = 0..T, a bound on |float64 beta_t - beta_t| in units of u, from how src/schedule evaluates each kind (betas
 * are the 64-digit ones, for magnitudes). linspace is within linspaceError plus the errors of its end points (at most
 * their sum at any i); squaring (quadratic) doubles the relative error of sqrt(beta) and adds one rounding; the
 * sigmoid moves by sigma (1 - sigma) times the error of its argument and adds 6 roundings (exp 2, 1 +, /, times the
 * range, + beta_1). Cosine betas, sin(theta_t + theta_{t-1}) sin(dtheta) / cos^2 theta_{t-1}, have relative error
 * (6 + 10 theta_{t-1} |tan theta_{t-1}|) u: cos^2 amplifies the 5-rounding error of theta by 2 theta |tan theta|, which
 * grows as t -> T (the clip at max_beta is 1-Lipschitz). Explicit betas are the inputs themselves.
 */
function betaErrors(spec: ScheduleSpec, betas: Float64Array): Float64Array {
  const T = betas.length - 1;
  const out = new Float64Array(T + 1);
  if ('betas' in spec) return out;
  for (let t = 1; t <= T; t++) {
    const i = t - 1;
    switch (spec.kind) {
      case 'linear':
        out[t] = linspaceError(spec.betaStart, spec.betaEnd, T, i);
        break;
      case 'quadratic': {
        const [r0, rT, r] = [Math.sqrt(spec.betaStart), Math.sqrt(spec.betaEnd), Math.sqrt(betas[t])];
        out[t] = 2 * r * (linspaceError(r0, rT, T, i) + r0 + rT) + r * r;
        break;
      }
      case 'sigmoid': {
        const [a, b] = [spec.sigmoidStart ?? SIGMOID_DEFAULT_RANGE[0], spec.sigmoidEnd ?? SIGMOID_DEFAULT_RANGE[1]];
        const x = T === 1 ? a : a + (i * (b - a)) / (T - 1);
        const sigma = 1 / (1 + Math.exp(-x));
        const range = Math.abs(spec.betaEnd - spec.betaStart);
        out[t] = range * sigma * (1 - sigma) * linspaceError(a, b, T, i) + 6 * range * sigma + betas[t];
        break;
      }
      case 'cosine': {
        const theta = cosineTheta(i / spec.T, spec.s ?? COSINE_DEFAULT_S);
        out[t] = (6 + 10 * theta * Math.abs(Math.tan(theta))) * betas[t];
        break;
      }
    }
  }
  return out;
}

/**
 * Per t = 0..T, the error of log alpha-bar_t that the betas' errors cause, in u: sum_{s<=t} e_s / (1 - beta_s). It is
 * relative for alpha-bar and scaled by alpha-bar / (1 - alpha-bar) for 1 - alpha-bar.
 */
function logAlphaBarConditioning(spec: ScheduleSpec, o: OracleTables): Float64Array {
  const errors = betaErrors(spec, o.betas);
  const out = new Float64Array(o.T + 1);
  for (let t = 1; t <= o.T; t++) out[t] = out[t - 1] + errors[t] / o.alphas[t];
  return out;
}

type TableField = Exclude<keyof ScheduleTables, 'T'>;

/**
 * The field an error names: a DiffspecInputError's own, or the leading "field: " of another error's message, as
 * backends written without diffspec (another process, another language) report it.
 */
function fieldNamed(e: unknown): string | undefined {
  if (e instanceof DiffspecInputError) return e.field;
  return e instanceof Error ? /^([A-Za-z_][\w.[\]]*): /.exec(e.message)?.[1] : undefined;
}

/** Every field of ScheduleTables: the compiler rejects a field added to the contract without an entry here. */
const TABLE_FIELDS: Record<TableField, true> = {
  betas: true,
  alphas: true,
  alphaBar: true,
  logAlphaBar: true,
  oneMinusAlphaBar: true,
  posteriorVariance: true,
  posteriorLogVarianceClipped: true,
  posteriorMeanCoefX0: true,
  posteriorMeanCoefXt: true,
  snr: true,
};

/**
 * Per field and t = 1..T, the error bound of the float64 tables (src/schedule/tables.ts) against the 64-digit ones,
 * in units of u, each with one rounding for the oracle's own: relative errors add through products and quotients, a
 * square root halves one, log and expm1 add 2 roundings each (library functions), and the running sum of t logs adds
 * t - 1 roundings of |log alpha-bar_t| (Higham, sec. 4.2; every term has the same sign).
 */
function tableErrorBounds(spec: ScheduleSpec, o: OracleTables): Record<TableField, Float64Array> {
  const T = o.T;
  const errors = betaErrors(spec, o.betas);
  const conditioning = logAlphaBarConditioning(spec, o);
  const each = (f: (t: number) => number) => Float64Array.from({ length: T + 1 }, (_, t) => (t === 0 ? 0 : f(t)));
  // Relative errors (in u) of the quantities the others are built from.
  const beta = (t: number) => errors[t] / o.betas[t] + 1;
  const alpha = (t: number) => (errors[t] + o.alphas[t]) / o.alphas[t] + 1;
  const logAlphaBar = each((t) => conditioning[t] + (t + 2) * Math.abs(o.logAlphaBar[t]) + 1);
  const alphaBar = (t: number) => (t === 0 ? 0 : 2 * t + 1 + conditioning[t]);
  const oneMinus = (t: number) => (t === 0 ? 0 : (o.alphaBar[t] * logAlphaBar[t]) / o.oneMinusAlphaBar[t] + 3);
  const posteriorVariance = (t: number) => oneMinus(t - 1) + oneMinus(t) + beta(t) + 3;
  const logVariance = (t: number) => {
    const source = t > 1 ? t : T > 1 ? 2 : 0;
    return source === 0
      ? beta(1) + 3 * Math.abs(Math.log(o.betas[1]))
      : posteriorVariance(source) + 3 * Math.abs(o.posteriorLogVarianceClipped[t]);
  };
  return {
    betas: each((t) => errors[t] + o.betas[t]),
    alphas: each((t) => errors[t] + 2 * o.alphas[t]),
    alphaBar: each((t) => o.alphaBar[t] * alphaBar(t)),
    logAlphaBar,
    oneMinusAlphaBar: each((t) => o.oneMinusAlphaBar[t] * oneMinus(t)),
    posteriorVariance: each((t) => o.posteriorVariance[t] * posteriorVariance(t)),
    posteriorLogVarianceClipped: each(logVariance),
    posteriorMeanCoefX0: each((t) => o.posteriorMeanCoefX0[t] * (alphaBar(t - 1) / 2 + beta(t) + oneMinus(t) + 4)),
    posteriorMeanCoefXt: each((t) => o.posteriorMeanCoefXt[t] * (alpha(t) / 2 + oneMinus(t - 1) + oneMinus(t) + 4)),
    snr: each((t) => o.snr[t] * (alphaBar(t) + oneMinus(t) + 2)),
  };
}

/** Below 2^-1022 alpha-bar_T is no longer a normal float64 number, and the schedule must be rejected. */
const SMALLEST_NORMAL = 2 ** -1022;

/** T of a schedule description, read from the description itself. */
const stepsOf = (spec: ScheduleSpec) => ('betas' in spec ? spec.betas.length : spec.T);

function expectLength(ctx: SpecContext, name: string, a: ArrayLike<number>, length: number): void {
  if (!a || a.length !== length)
    ctx.fail(`${name} has length ${a?.length}, expected T + 1 = ${length} (index t = 0..T)`);
}

export const schedulesGroup = defineGroup('schedules', 'Variance schedules and the tables derived from them', [
  {
    name: 'betas lie in (0, 1), alpha = 1 - beta, alpha-bar_0 = 1 and alpha-bar strictly decreases',
    kind: 'property',
    equation: '0 < beta_t < 1, alpha_t = 1 - beta_t, 1 = alpha-bar_0 > alpha-bar_1 > ... > alpha-bar_T > 0',
    source: 'Ho et al. 2020, sec. 2',
    requires: ['schedule'],
    async run(backend, ctx) {
      await fc.assert(
        fc.asyncProperty(scheduleOptionsArbitrary(), async (spec) => {
          const s = await backend.schedule(spec);
          const T = stepsOf(spec);
          if (s.T !== T) ctx.fail(`T is ${s.T}, expected ${T}`);
          for (const [name, table] of Object.entries({ betas: s.betas, alphas: s.alphas, alphaBar: s.alphaBar }))
            expectLength(ctx, name, table, T + 1);
          if (s.alphaBar[0] !== 1) ctx.fail(`alphaBar[0] (t = 0) is ${s.alphaBar[0]}, expected exactly 1`);
          for (let t = 1; t <= T; t++) {
            if (!(s.betas[t] > 0 && s.betas[t] < 1)) ctx.fail(`beta_${t} = ${s.betas[t]} is outside (0, 1)`);
            if (s.alphas[t] !== 1 - s.betas[t])
              ctx.fail(`alpha_${t} = ${s.alphas[t]}, expected 1 - beta_${t} = ${1 - s.betas[t]}`);
            if (!(s.alphaBar[t] < s.alphaBar[t - 1] && s.alphaBar[t] > 0))
              ctx.fail(
                `alpha-bar_${t} = ${s.alphaBar[t]} does not lie in (0, alpha-bar_${t - 1} = ${s.alphaBar[t - 1]})`,
              );
          }
        }),
        ctx.fastCheck(40),
      );
    },
  },
  {
    name: 'linear, quadratic, sigmoid and cosine betas are monotone from beta_1 to beta_T',
    kind: 'property',
    equation:
      'beta_1 <= ... <= beta_T when beta_1 <= beta_T (sigmoid: and a <= b), else beta_1 >= ... >= beta_T; cosine increases; linear ends exactly at betaStart and betaEnd',
    source: 'Ho et al. 2020, sec. 4; Nichol & Dhariwal 2021, eq. 17; Xu et al. 2022',
    requires: ['schedule'],
    async run(backend, ctx) {
      await fc.assert(
        fc.asyncProperty(
          scheduleOptionsArbitrary().filter((s) => !('betas' in s)),
          async (spec) => {
            if ('betas' in spec) return;
            const s = await backend.schedule(spec);
            // linspace, the square of a positive linspace and the sigmoid of a linspace are monotone in t.
            const sign = (x: number) => (x < 0 ? -1 : 1);
            let direction = 1;
            if (spec.kind !== 'cosine') direction = sign(spec.betaEnd - spec.betaStart);
            if (spec.kind === 'sigmoid')
              direction *= sign(
                (spec.sigmoidEnd ?? SIGMOID_DEFAULT_RANGE[1]) - (spec.sigmoidStart ?? SIGMOID_DEFAULT_RANGE[0]),
              );
            // numpy.linspace sets both ends exactly (the last is stop itself, not start + (T - 1) step).
            if (
              spec.kind === 'linear' &&
              (s.betas[1] !== spec.betaStart || s.betas[s.T] !== (s.T === 1 ? spec.betaStart : spec.betaEnd))
            )
              ctx.fail(
                `${JSON.stringify(spec)}: linear betas run from ${s.betas[1]} to ${s.betas[s.T]}, expected exactly betaStart and betaEnd`,
              );
            for (let t = 2; t <= s.T; t++) {
              if (direction * (s.betas[t] - s.betas[t - 1]) < 0)
                ctx.fail(
                  `${JSON.stringify(spec)}: beta_${t} = ${s.betas[t]} after beta_${t - 1} = ${s.betas[t - 1]}, expected ${direction > 0 ? 'no decrease' : 'no increase'}`,
                );
            }
          },
        ),
        ctx.fastCheck(40),
      );
    },
  },
  {
    name: 'alpha-bar and 1 - alpha-bar equal the product of (1 - beta) computed in 64-digit arithmetic',
    kind: 'property',
    equation:
      "alpha-bar_t = prod_{s<=t} (1 - beta_s); each of alpha-bar_t and 1 - alpha-bar_t within (2T + 2) u of its own size (times the cosine's conditioning)",
    source: 'Ho et al. 2020, sec. 2',
    requires: ['schedule'],
    async run(backend, ctx) {
      const fixed: ScheduleSpec[] = [SEED_SCHEDULE, DDPM_SCHEDULE, { kind: 'cosine', T: 1000 }];
      const check = async (spec: ScheduleSpec) => {
        const s = await backend.schedule(spec);
        const tables = oracleTables(spec);
        const oracle = { alphaBar: tables.alphaBar.subarray(1), oneMinusAlphaBar: tables.oneMinusAlphaBar.subarray(1) };
        const conditioning = logAlphaBarConditioning(spec, tables).subarray(1);
        const T = stepsOf(spec);
        const k = productRoundings(T);
        const label = JSON.stringify(spec).slice(0, 120);
        expectLength(ctx, 'oneMinusAlphaBar', s.oneMinusAlphaBar, T + 1);
        // The error of log alpha-bar (conditioning, in u) is relative for
        // alpha-bar, and scaled by alpha-bar / (1 - alpha-bar) for 1 - alpha-bar.
        const alphaBarScale = oracle.alphaBar.map((v, i) => v * (1 + conditioning[i] / k));
        const oneMinusScale = oracle.oneMinusAlphaBar.map(
          (v, i) => v * (1 + (conditioning[i] * oracle.alphaBar[i]) / v / k),
        );
        ctx.expectClose({
          what: `alpha-bar of ${label}`,
          actual: { shape: [T], data: s.alphaBar.subarray(1) },
          expected: oracle.alphaBar,
          scale: alphaBarScale,
          roundings: k,
          shape: [T],
        });
        ctx.expectClose({
          what: `1 - alpha-bar of ${label}`,
          actual: { shape: [T], data: s.oneMinusAlphaBar.subarray(1) },
          expected: oracle.oneMinusAlphaBar,
          scale: oneMinusScale,
          roundings: k,
          shape: [T],
        });
      };
      for (const spec of fixed) await check(spec);
      await fc.assert(fc.asyncProperty(scheduleOptionsArbitrary(300), check), ctx.fastCheck(15));
    },
  },
  {
    name: 'cosine betas are clipped at max_beta and follow f(t)/f(0) before the clip, for every s and max_beta',
    kind: 'property',
    equation:
      'beta_t = min(1 - f(t)/f(t-1), max_beta), f(t) = cos^2(((t/T + s)/(1 + s)) pi/2), s >= 0 (0.008), max_beta in (0, 1) (0.999); beta_T = max_beta',
    source: 'Nichol & Dhariwal 2021, eq. 17 and sec. 3.2',
    requires: ['schedule'],
    async run(backend, ctx) {
      const options = fc.record({
        T: fc.integer({ min: 2, max: 2000 }),
        s: fc.option(
          fc.oneof(fc.double({ min: 0, max: 0.02, noNaN: true }), fc.double({ min: 0, max: 100, noNaN: true })),
          { nil: undefined },
        ),
        maxBeta: fc.option(fc.double({ min: 2 ** -50, max: 1 - 2 ** -53, noNaN: true }), { nil: undefined }),
      });
      await fc.assert(
        fc.asyncProperty(options, async ({ T, s: offset, maxBeta: clip }) => {
          const spec: ScheduleSpec = {
            kind: 'cosine',
            T,
            ...(offset === undefined ? {} : { s: offset }),
            ...(clip === undefined ? {} : { maxBeta: clip }),
          };
          const [s, maxBeta] = [offset ?? COSINE_DEFAULT_S, clip ?? COSINE_DEFAULT_MAX_BETA];
          const tables = await backend.schedule(spec);
          const f = (t: number) => Math.cos(cosineTheta(t / T, s)) ** 2;
          const label = JSON.stringify(spec);
          for (let t = 1; t <= T; t++) {
            if (tables.betas[t] > maxBeta) ctx.fail(`${label}: beta_${t} = ${tables.betas[t]} exceeds max_beta`);
            const unclipped = 1 - f(t) / f(t - 1);
            // 1 - f(t)/f(t-1) itself cancels: absolute error a few u, plus f's conditioning near t = T.
            const bound = 64 * 2 ** -52 * (1 + Math.abs(Math.tan(cosineTheta((t - 1) / T, s))));
            // f(T) is ~0, so beta_T is the clip value itself unless max_beta lies within the bound of 1.
            if (t === T && maxBeta < 1 - bound && tables.betas[T] !== maxBeta)
              ctx.fail(`${label}: beta_T = ${tables.betas[T]}, expected the clip value ${maxBeta}`);
            const expected = Math.min(unclipped, maxBeta);
            if (Math.abs(tables.betas[t] - expected) > bound)
              ctx.fail(
                `${label}: beta_${t} = ${tables.betas[t]}, expected min(1 - f(t)/f(t-1), max_beta) = ${expected}`,
              );
          }
        }),
        ctx.fastCheck(20),
      );
    },
  },
  {
    name: "the seed's schedule is linspace(1e-4, 0.06, 100)",
    kind: 'exact',
    equation: 'beta_1 = 1e-4, beta_100 = 0.06, beta_t - beta_{t-1} = (0.06 - 1e-4)/99',
    source: "the seed's forward_diffusion (T = 100)",
    requires: ['schedule'],
    async run(backend, ctx) {
      const s = await backend.schedule(SEED_SCHEDULE);
      if (s.T !== 100) ctx.fail(`T is ${s.T}, expected 100`);
      if (s.betas[1] !== 1e-4 || s.betas[100] !== 0.06)
        ctx.fail(`endpoints are ${s.betas[1]}, ${s.betas[100]}; expected exactly 1e-4 and 0.06`);
      const step = (0.06 - 1e-4) / 99;
      for (let t = 2; t <= 100; t++)
        if (Math.abs(s.betas[t] - s.betas[t - 1] - step) > 4 * 2 ** -53 * 0.06)
          ctx.fail(`beta_${t} - beta_${t - 1} = ${s.betas[t] - s.betas[t - 1]}, expected ${step}`);
    },
  },
  {
    name: 'posterior variance is (1 - alpha-bar_{t-1})/(1 - alpha-bar_t) beta_t (64-digit alpha-bar), 0 at t = 1, and its clipped log takes t = 2 at t = 1',
    kind: 'property',
    equation: 'beta~_t = (1 - alpha-bar_{t-1}) / (1 - alpha-bar_t) beta_t; log beta~ clipped: t = 1 -> log beta~_2',
    source: 'Ho et al. 2020, eq. 7; improved-diffusion posterior_log_variance_clipped',
    requires: ['schedule'],
    async run(backend, ctx) {
      await fc.assert(
        fc.asyncProperty(
          scheduleOptionsArbitrary(300).filter((s) => stepsOf(s) >= 2),
          async (spec) => {
            const s = await backend.schedule(spec);
            const tables = oracleTables(spec);
            const [alphaBar, oneMinusAlphaBar] = [tables.alphaBar.subarray(1), tables.oneMinusAlphaBar.subarray(1)];
            const conditioning = logAlphaBarConditioning(spec, tables).subarray(1);
            const k = productRoundings(s.T);
            const expected = Array.from(
              { length: s.T },
              (_, i) => ((i === 0 ? 0 : oneMinusAlphaBar[i - 1]) / oneMinusAlphaBar[i]) * s.betas[i + 1],
            );
            // Both 1 - alpha-bar factors carry their bound from the
            // check above; the division and product add 2 roundings.
            const relative = (i: number) => 1 + (conditioning[i] * alphaBar[i]) / oneMinusAlphaBar[i] / k;
            const scale = expected.map((v, i) => v * (relative(i) + (i === 0 ? 0 : relative(i - 1))));
            ctx.expectClose({
              what: 'posterior variance',
              actual: { shape: [s.T], data: s.posteriorVariance.subarray(1) },
              expected,
              scale,
              roundings: k + 2,
              shape: [s.T],
            });
            if (s.posteriorVariance[1] !== 0) ctx.fail(`beta~_1 = ${s.posteriorVariance[1]}, expected exactly 0`);
            // The clip copies t = 2's entry, so the two are equal bit for bit on any platform; log beta~_2 itself is
            // checked against the oracle with the other table fields (exact equality with V8's Math.log would fail a
            // correct NumPy backend by 1 ulp).
            const [clipped1, clipped2] = [s.posteriorLogVarianceClipped[1], s.posteriorLogVarianceClipped[2]];
            if (clipped1 !== clipped2)
              ctx.fail(`clipped log-variance at t = 1 is ${clipped1}, expected t = 2's ${clipped2}`);
          },
        ),
        ctx.fastCheck(15),
      );
    },
  },
  {
    name: 'every ScheduleTables field equals its definition computed in 64-digit arithmetic',
    kind: 'property',
    equation:
      'betas, alpha = 1 - beta, alpha-bar, log alpha-bar, 1 - alpha-bar, beta~, log beta~ (clipped), mu~ coefficients, SNR = alpha-bar / (1 - alpha-bar): each within its derived bound; entry t = 0 exact',
    source:
      'Ho et al. 2020, sec. 2 and eq. 7; Kingma et al. 2021, eq. 2; improved-diffusion posterior_log_variance_clipped',
    requires: ['schedule'],
    reads: Object.keys(TABLE_FIELDS).map((field) => `schedule.${field}`),
    async run(backend, ctx) {
      const check = async (spec: ScheduleSpec) => {
        const s = await backend.schedule(spec);
        const o = oracleTables(spec);
        const label = JSON.stringify(spec).slice(0, 120);
        if (s.T !== o.T) ctx.fail(`${label}: T is ${s.T}, expected ${o.T}`);
        const unchecked = Object.keys(s).filter((key) => key !== 'T' && !(key in TABLE_FIELDS));
        if (unchecked.length > 0) ctx.fail(`the tables have fields no check reads: ${unchecked.join(', ')}`);
        const bounds = tableErrorBounds(spec, o);
        for (const field of Object.keys(TABLE_FIELDS) as TableField[]) {
          const actual = s[field];
          expectLength(ctx, `${field} of ${label}`, actual, o.T + 1);
          // A non-finite expected value would pass expectClose unnoticed: the oracle must give numbers (SNR_0 aside).
          if (!o[field].subarray(1).every(Number.isFinite))
            ctx.fail(`the oracle's ${field} of ${label} is not finite: ${o[field].subarray(1, 6).join(', ')}...`);
          if (actual[0] !== o[field][0])
            ctx.fail(`${field}[0] (t = 0) of ${label} is ${actual[0]}, expected exactly ${o[field][0]}`);
          // The bounds are in units of u: one "rounding" of (u_backend + u_float64) covers them.
          ctx.expectClose({
            what: `${field} of ${label}`,
            actual: { shape: [o.T], data: actual.subarray(1) },
            expected: o[field].subarray(1),
            scale: bounds[field].subarray(1),
            roundings: 1,
            shape: [o.T],
          });
        }
      };
      for (const spec of [
        SEED_SCHEDULE,
        { kind: 'cosine', T: 1 },
        { kind: 'quadratic', T: 1, betaStart: 0.3, betaEnd: 0.1 },
      ] as ScheduleSpec[])
        await check(spec);
      await fc.assert(fc.asyncProperty(scheduleOptionsArbitrary(120), check), ctx.fastCheck(15));
    },
  },
  {
    name: 'a schedule whose alpha-bar_T leaves the normal float64 range is rejected, naming the schedule',
    kind: 'exact',
    equation:
      'prod_t (1 - beta_t) < 2^-1022: DiffspecInputError(schedule), never alpha-bar_T = 0 (1 / sqrt(alpha-bar) would be infinite)',
    source: 'the contract of src/schedule/tables.ts',
    requires: ['schedule'],
    async run(backend, ctx) {
      const underflowing: ScheduleSpec[] = [
        { kind: 'linear', T: 1000, betaStart: 0.5, betaEnd: 0.9 },
        { betas: Array.from({ length: 40 }, () => 1 - 2 ** -26) },
      ];
      for (const spec of underflowing) {
        const result = await backend.schedule(spec).then(
          (s) => `alpha-bar_T = ${s.alphaBar[s.T]}`,
          (e: unknown) => e,
        );
        if (!fieldNamed(result)?.startsWith('schedule'))
          ctx.fail(
            `${JSON.stringify(spec).slice(0, 80)} (alpha-bar_T about ${Math.exp(oracleTables(spec).logAlphaBar[stepsOf(spec)])}): expected an error naming the schedule, got ${String(result)}`,
          );
      }
      // Just inside the range: 1022 halvings leave alpha-bar_T = 2^-1022 exactly.
      const s = await backend.schedule({ betas: Array.from({ length: 1022 }, () => 0.5) });
      if (s.alphaBar[1022] !== SMALLEST_NORMAL)
        ctx.fail(`1022 betas of 0.5: alpha-bar_T = ${s.alphaBar[1022]}, expected 2^-1022`);
    },
  },
  {
    name: 'invalid schedule descriptions are rejected with an error naming the field',
    kind: 'exact',
    equation:
      'kind unknown, a field of another kind, T not an integer >= 1, a beta outside (0, 1), s < 0, a non-finite number, empty betas: DiffspecInputError(schedule.<field>) saying what is wrong',
    source: 'the contract of src/schedule/spec.ts (parseScheduleSpec)',
    requires: ['schedule'],
    async run(backend, ctx) {
      const linear = { kind: 'linear', T: 10, betaStart: 1e-4, betaEnd: 0.02 };
      const sigmoid = { ...linear, kind: 'sigmoid' };
      const cases: [string, unknown][] = [
        ['schedule', null],
        ['schedule', [0.1, 0.2]],
        ['schedule', 42],
        ['schedule.kind', { kind: 'exponential', T: 10 }],
        ['schedule.kind', { T: 10 }],
        ['schedule.kind', { ...linear, kind: ['linear'] }],
        ['schedule.s', { ...linear, s: 0.008 }],
        ['schedule.betaStart', { kind: 'cosine', T: 10, betaStart: 0.1 }],
        ['schedule.T', { ...linear, T: 0 }],
        ['schedule.T', { ...linear, T: 2.5 }],
        ['schedule.T', { ...linear, T: '10' }],
        ['schedule.T', { kind: 'cosine' }],
        ['schedule.betaStart', { ...linear, betaStart: 0 }],
        ['schedule.betaStart', { ...linear, betaStart: NaN }],
        ['schedule.betaEnd', { ...linear, betaEnd: 1 }],
        ['schedule.betaEnd', { ...linear, kind: 'quadratic', betaEnd: -0.1 }],
        ['schedule.betaEnd', { ...linear, betaEnd: undefined }],
        ['schedule.betaStart', { ...sigmoid, betaStart: 1.5 }],
        ['schedule.sigmoidStart', { ...sigmoid, sigmoidStart: Infinity }],
        ['schedule.sigmoidEnd', { ...sigmoid, sigmoidEnd: 'six' }],
        ['schedule.s', { kind: 'cosine', T: 10, s: -0.001 }],
        ['schedule.s', { kind: 'cosine', T: 10, s: NaN }],
        ['schedule.maxBeta', { kind: 'cosine', T: 10, maxBeta: 1 }],
        ['schedule.maxBeta', { kind: 'cosine', T: 10, maxBeta: 0 }],
        ['schedule.betas', { betas: [] }],
        ['schedule.betas', { kind: 'explicit', betas: 'fast' }],
        ['schedule.betas[1]', { betas: [0.1, 0, 0.2] }],
        ['schedule.betas[2]', { kind: 'explicit', betas: [0.1, 0.2, 1] }],
        ['schedule.T', { kind: 'explicit', betas: [0.1], T: 1 }],
      ];
      for (const [field, raw] of cases) {
        const result = await backend.schedule(raw as ScheduleSpec).then(
          () => 'tables',
          (e: unknown) => e,
        );
        if (fieldNamed(result) !== field)
          ctx.fail(
            `${JSON.stringify(raw) ?? String(raw)}: expected an error naming ${field}, got ${fieldNamed(result) ? `one naming ${fieldNamed(result)}` : String(result)}`,
          );
        // "field: detail": naming the field is not enough, the error must also say what is wrong with it.
        const message = (result as Error).message;
        if (!(message.length > `${field}: `.length + 8))
          ctx.fail(
            `${JSON.stringify(raw) ?? String(raw)}: the error "${message}" names ${field} but does not say what is wrong`,
          );
      }
      // Every kind accepts its full set of fields, and options left out take their defaults.
      const full: ScheduleSpec[] = [
        { kind: 'cosine', T: 10, s: 0, maxBeta: 0.5 },
        { kind: 'sigmoid', T: 10, betaStart: 0.2, betaEnd: 0.01, sigmoidStart: 3, sigmoidEnd: -3 },
        { kind: 'explicit', betas: [0.25] },
      ];
      for (const spec of full) {
        const result = await backend.schedule(spec).then(
          (s) => s,
          (e: unknown) => e,
        );
        if (result instanceof Error) ctx.fail(`${JSON.stringify(spec)} was rejected: ${result.message}`);
      }
    },
  },
]);
