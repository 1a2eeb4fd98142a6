// Variance schedule specs.
//   alpha_t = 1 - beta_t, alpha-bar_t = prod_{s<=t} alpha_s, alpha-bar_0 = 1             (Ho et al. 2020, sec. 2)
//   linear: beta = linspace(beta_1, beta_T, T)                                           (Ho et al. 2020, sec. 4)
//   cosine: alpha-bar(t) = f(t)/f(0), f(t) = cos^2(((t/T + s)/(1 + s)) pi/2), betas clipped at 0.999 (Nichol & Dhariwal 2021, eq. 17)
//   beta~_t = (1 - alpha-bar_{t-1}) / (1 - alpha-bar_t) beta_t                           (Ho et al. 2020, eq. 7)
import fc from 'fast-check';
import type { ScheduleSpec } from '../../src/schedule/spec.js';
import { COSINE_DEFAULT_MAX_BETA, DDPM_SCHEDULE, SEED_SCHEDULE } from '../../src/schedule/spec.js';
import { cosineTheta } from '../../src/schedule/cosine.js';
import { oracleTables } from '../../src/schedule/oracle.js';
import { scheduleBetas } from '../../src/schedule/tables.js';
import { defineGroup } from '../../src/speckit/check.js';
import type { SpecContext } from '../../src/speckit/context.js';
import { scheduleSpecArbitrary } from '../arbitraries/schedule.js';

/** The running product of T factors accumulates at most T roundings, plus the T roundings of 1 - beta_s. */
const productRoundings = (T: number) => 2 * T + 2;

/**
 * Conditioning of the cosine schedule, in units of u. beta_s = sin(theta_s + theta_{s-1}) sin(dtheta) / cos^2 theta_{s-1}
 * has relative error about (6 + 10 theta_{s-1} |tan theta_{s-1}|) u: cos^2 amplifies the 5-rounding error of theta by
 * 2 theta |tan theta|, which grows as t -> T. A relative error e in beta_s moves log alpha-bar by e beta_s / (1 - beta_s).
 * Returns per t the accumulated sum, 0 for other schedules (their betas are the float64 inputs themselves).
 * Clipped betas (= max_beta exactly) add nothing.
 */
function cosineConditioning(spec: ScheduleSpec, betas: Float64Array): Float64Array {
  const out = new Float64Array(betas.length);
  if ('betas' in spec || spec.kind !== 'cosine') return out;
  const s = spec.s ?? 0.008;
  let sum = 0;
  for (let t = 1; t <= betas.length; t++) {
    const b = betas[t - 1];
    if (b < (spec.maxBeta ?? COSINE_DEFAULT_MAX_BETA)) {
      const theta = cosineTheta((t - 1) / spec.T, s);
      sum += ((6 + 10 * theta * Math.abs(Math.tan(theta))) * b) / (1 - b);
    }
    out[t - 1] = sum;
  }
  return out;
}

function expectLength(ctx: SpecContext, name: string, a: ArrayLike<number>, length: number): void {
  if (!a || a.length !== length) ctx.fail(`${name} has length ${a?.length}, expected T + 1 = ${length} (index t = 0..T)`);
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
        fc.asyncProperty(scheduleSpecArbitrary(), async (spec) => {
          const s = await backend.schedule(spec);
          const T = scheduleBetas(spec).length;
          if (s.T !== T) ctx.fail(`T is ${s.T}, expected ${T}`);
          for (const [name, table] of Object.entries({ betas: s.betas, alphas: s.alphas, alphaBar: s.alphaBar })) expectLength(ctx, name, table, T + 1);
          if (s.alphaBar[0] !== 1) ctx.fail(`alphaBar[0] (t = 0) is ${s.alphaBar[0]}, expected exactly 1`);
          for (let t = 1; t <= T; t++) {
            if (!(s.betas[t] > 0 && s.betas[t] < 1)) ctx.fail(`beta_${t} = ${s.betas[t]} is outside (0, 1)`);
            if (s.alphas[t] !== 1 - s.betas[t]) ctx.fail(`alpha_${t} = ${s.alphas[t]}, expected 1 - beta_${t} = ${1 - s.betas[t]}`);
            if (!(s.alphaBar[t] < s.alphaBar[t - 1] && s.alphaBar[t] > 0)) ctx.fail(`alpha-bar_${t} = ${s.alphaBar[t]} does not lie in (0, alpha-bar_${t - 1} = ${s.alphaBar[t - 1]})`);
          }
        }),
        ctx.fastCheck(40),
      );
    },
  },
  {
    name: 'linear, quadratic, sigmoid and cosine betas do not decrease',
    kind: 'property',
    equation: 'beta_1 <= beta_2 <= ... <= beta_T',
    source: 'Ho et al. 2020, sec. 4; Nichol & Dhariwal 2021, eq. 17',
    requires: ['schedule'],
    async run(backend, ctx) {
      await fc.assert(
        fc.asyncProperty(scheduleSpecArbitrary().filter((s) => !('betas' in s)), async (spec) => {
          const s = await backend.schedule(spec);
          for (let t = 2; t <= s.T; t++) if (s.betas[t] < s.betas[t - 1]) ctx.fail(`${JSON.stringify(spec)}: beta_${t} = ${s.betas[t]} < beta_${t - 1} = ${s.betas[t - 1]}`);
        }),
        ctx.fastCheck(40),
      );
    },
  },
  {
    name: 'alpha-bar and 1 - alpha-bar equal the product of (1 - beta) computed in 64-digit arithmetic',
    kind: 'property',
    equation: "alpha-bar_t = prod_{s<=t} (1 - beta_s); each of alpha-bar_t and 1 - alpha-bar_t within (2T + 2) u of its own size (times the cosine's conditioning)",
    source: 'Ho et al. 2020, sec. 2',
    requires: ['schedule'],
    async run(backend, ctx) {
      const fixed: ScheduleSpec[] = [SEED_SCHEDULE, DDPM_SCHEDULE, { kind: 'cosine', T: 1000 }];
      const check = async (spec: ScheduleSpec) => {
        const s = await backend.schedule(spec);
        const tables = oracleTables(spec);
        const oracle = { alphaBar: tables.alphaBar.subarray(1), oneMinusAlphaBar: tables.oneMinusAlphaBar.subarray(1) };
        const conditioning = cosineConditioning(spec, scheduleBetas(spec));
        const T = oracle.alphaBar.length;
        const k = productRoundings(T);
        const label = JSON.stringify(spec).slice(0, 120);
        expectLength(ctx, 'oneMinusAlphaBar', s.oneMinusAlphaBar, T + 1);
        // The error of log alpha-bar (conditioning, in u) is relative for alpha-bar, and scaled by alpha-bar / (1 - alpha-bar) for 1 - alpha-bar.
        const alphaBarScale = oracle.alphaBar.map((v, i) => v * (1 + conditioning[i] / k));
        const oneMinusScale = oracle.oneMinusAlphaBar.map((v, i) => v * (1 + (conditioning[i] * oracle.alphaBar[i]) / v / k));
        ctx.expectClose({ what: `alpha-bar of ${label}`, actual: { shape: [T], data: s.alphaBar.subarray(1) }, expected: oracle.alphaBar, scale: alphaBarScale, roundings: k, shape: [T] });
        ctx.expectClose({ what: `1 - alpha-bar of ${label}`, actual: { shape: [T], data: s.oneMinusAlphaBar.subarray(1) }, expected: oracle.oneMinusAlphaBar, scale: oneMinusScale, roundings: k, shape: [T] });
      };
      for (const spec of fixed) await check(spec);
      await fc.assert(fc.asyncProperty(scheduleSpecArbitrary(300), check), ctx.fastCheck(15));
    },
  },
  {
    name: 'cosine betas are clipped at max_beta = 0.999 and follow f(t)/f(0) before the clip',
    kind: 'property',
    equation: 'beta_t = min(1 - f(t)/f(t-1), 0.999), f(t) = cos^2(((t/T + s)/(1 + s)) pi/2); beta_T = 0.999',
    source: 'Nichol & Dhariwal 2021, eq. 17 and sec. 3.2',
    requires: ['schedule'],
    async run(backend, ctx) {
      await fc.assert(
        fc.asyncProperty(fc.integer({ min: 2, max: 2000 }), async (T) => {
          const s = await backend.schedule({ kind: 'cosine', T });
          const f = (t: number) => Math.cos(cosineTheta(t / T, 0.008)) ** 2;
          if (s.betas[T] !== COSINE_DEFAULT_MAX_BETA) ctx.fail(`T = ${T}: beta_T = ${s.betas[T]}, expected the clip value ${COSINE_DEFAULT_MAX_BETA} (f(T) is ~0)`);
          for (let t = 1; t <= T; t++) {
            if (s.betas[t] > COSINE_DEFAULT_MAX_BETA) ctx.fail(`T = ${T}: beta_${t} = ${s.betas[t]} exceeds max_beta`);
            const unclipped = 1 - f(t) / f(t - 1);
            // 1 - f(t)/f(t-1) itself cancels: absolute error a few u, plus f's conditioning near t = T.
            if (unclipped < COSINE_DEFAULT_MAX_BETA && Math.abs(s.betas[t] - unclipped) > 64 * 2 ** -52 * (1 + Math.abs(Math.tan(cosineTheta((t - 1) / T, 0.008))))) ctx.fail(`T = ${T}: beta_${t} = ${s.betas[t]}, expected 1 - f(t)/f(t-1) = ${unclipped}`);
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
      if (s.betas[1] !== 1e-4 || s.betas[100] !== 0.06) ctx.fail(`endpoints are ${s.betas[1]}, ${s.betas[100]}; expected exactly 1e-4 and 0.06`);
      const step = (0.06 - 1e-4) / 99;
      for (let t = 2; t <= 100; t++) if (Math.abs(s.betas[t] - s.betas[t - 1] - step) > 4 * 2 ** -53 * 0.06) ctx.fail(`beta_${t} - beta_${t - 1} = ${s.betas[t] - s.betas[t - 1]}, expected ${step}`);
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
        fc.asyncProperty(scheduleSpecArbitrary(300).filter((s) => scheduleBetas(s).length >= 2), async (spec) => {
          const s = await backend.schedule(spec);
          const tables = oracleTables(spec);
          const [alphaBar, oneMinusAlphaBar] = [tables.alphaBar.subarray(1), tables.oneMinusAlphaBar.subarray(1)];
          const conditioning = cosineConditioning(spec, scheduleBetas(spec));
          const k = productRoundings(s.T);
          const expected = Array.from({ length: s.T }, (_, i) => ((i === 0 ? 0 : oneMinusAlphaBar[i - 1]) / oneMinusAlphaBar[i]) * s.betas[i + 1]);
          // Both 1 - alpha-bar factors carry their bound from the check above; the division and product add 2 roundings.
          const relative = (i: number) => 1 + (conditioning[i] * alphaBar[i]) / oneMinusAlphaBar[i] / k;
          const scale = expected.map((v, i) => v * (relative(i) + (i === 0 ? 0 : relative(i - 1))));
          ctx.expectClose({ what: 'posterior variance', actual: { shape: [s.T], data: s.posteriorVariance.subarray(1) }, expected, scale, roundings: k + 2, shape: [s.T] });
          if (s.posteriorVariance[1] !== 0) ctx.fail(`beta~_1 = ${s.posteriorVariance[1]}, expected exactly 0`);
          if (s.posteriorLogVarianceClipped[1] !== Math.log(s.posteriorVariance[2])) ctx.fail(`clipped log-variance at t = 1 is ${s.posteriorLogVarianceClipped[1]}, expected log beta~_2 = ${Math.log(s.posteriorVariance[2])}`);
        }),
        ctx.fastCheck(15),
      );
    },
  },
]);
