// An independent high-precision model of src/schedule: every schedule kind's betas and every ScheduleTables field,
// in 64-digit decimal arithmetic, rounded to float64 once at the end. It imports nothing from the float64 code it is
// compared with (spec/schedule-oracle.spec.ts checks its imports), so a wrong formula there cannot hide here.
import { Decimal } from 'decimal.js';
import { COSINE_DEFAULT_MAX_BETA, COSINE_DEFAULT_S, type ScheduleSpec, SIGMOID_DEFAULT_RANGE } from './spec.js';

const D = Decimal.clone({ precision: 64 });
type Big = InstanceType<typeof D>;

/** The exact value of a double (a finite binary fraction), to 64 digits. */
function exactly(x: number): Big {
  let scaled = x;
  let halvings = 0;
  while (!Number.isInteger(scaled)) {
    scaled *= 2;
    halvings++;
  }
  return new D(BigInt(scaled).toString()).div(new D(2).pow(halvings));
}

/** numpy.linspace(start, stop, n) exactly: start + i (stop - start) / (n - 1), and start alone for n = 1. */
function linspaceBig(start: Big, stop: Big, n: number): Big[] {
  if (n === 1) return [start];
  const step = stop.minus(start).div(n - 1);
  return Array.from({ length: n }, (_, i) => start.plus(step.times(i)));
}

/** cos^2(((u + s) / (1 + s)) pi / 2)  (Nichol & Dhariwal 2021, eq. 17). */
function cosineAlphaBarBig(u: Big, s: Big): Big {
  const c = D.cos(u.plus(s).div(s.plus(1)).times(D.acos(-1)).div(2));
  return c.times(c);
}

/** beta_1..beta_T of a schedule, each kind from its own definition. */
function oracleBetas(spec: ScheduleSpec): Big[] {
  if ('betas' in spec) return spec.betas.map(exactly);
  switch (spec.kind) {
    // beta_t = linspace(beta_1, beta_T, T)_t  (Ho et al. 2020, sec. 4)
    case 'linear':
      return linspaceBig(exactly(spec.betaStart), exactly(spec.betaEnd), spec.T);
    // beta_t = linspace(sqrt(beta_1), sqrt(beta_T), T)_t^2  (diffusers "scaled_linear")
    case 'quadratic':
      return linspaceBig(exactly(spec.betaStart).sqrt(), exactly(spec.betaEnd).sqrt(), spec.T).map((r) => r.times(r));
    // beta_t = min(1 - f(t) / f(t - 1), maxBeta), f = cos^2 (Nichol & Dhariwal 2021, eq. 17 and sec. 3.2)
    case 'cosine': {
      const s = exactly(spec.s ?? COSINE_DEFAULT_S);
      const maxBeta = exactly(spec.maxBeta ?? COSINE_DEFAULT_MAX_BETA);
      const f = Array.from({ length: spec.T + 1 }, (_, t) => cosineAlphaBarBig(new D(t).div(spec.T), s));
      return Array.from({ length: spec.T }, (_, i) => D.min(new D(1).minus(f[i + 1].div(f[i])), maxBeta));
    }
    // beta_t = sigmoid(linspace(a, b, T)_t) (beta_T - beta_1) + beta_1  (Xu et al. 2022, GeoDiff)
    case 'sigmoid': {
      const betaStart = exactly(spec.betaStart);
      const range = exactly(spec.betaEnd).minus(betaStart);
      const a = exactly(spec.sigmoidStart ?? SIGMOID_DEFAULT_RANGE[0]);
      const b = exactly(spec.sigmoidEnd ?? SIGMOID_DEFAULT_RANGE[1]);
      return linspaceBig(a, b, spec.T).map((x) => new D(1).div(D.exp(x.neg()).plus(1)).times(range).plus(betaStart));
    }
  }
}

/** Every ScheduleTables field (src/schedule/tables.ts), indexed by t = 0..T, each rounded once from 64 digits. */
export interface OracleTables {
  T: number;
  betas: Float64Array;
  alphas: Float64Array;
  alphaBar: Float64Array;
  logAlphaBar: Float64Array;
  oneMinusAlphaBar: Float64Array;
  posteriorVariance: Float64Array;
  posteriorLogVarianceClipped: Float64Array;
  posteriorMeanCoefX0: Float64Array;
  posteriorMeanCoefXt: Float64Array;
  snr: Float64Array;
}

/**
 * The tables of a schedule from their definitions: alpha_t = 1 - beta_t, alpha-bar_t = prod_{s<=t} alpha_s
 * (Ho et al. 2020, sec. 2); beta~_t and the posterior mean coefficients (Ho et al. 2020, eq. 7); log beta~ clipped
 * at t = 1 to log beta~_2, or log beta_1 when T = 1 (improved-diffusion); SNR_t = alpha-bar_t / (1 - alpha-bar_t)
 * (Kingma et al. 2021, eq. 2). Entry 0 is t = 0: beta_0 = 0, alpha-bar_0 = 1, SNR_0 = infinity, posterior tables 0.
 */
export function oracleTables(spec: ScheduleSpec): OracleTables {
  const betas = [new D(0), ...oracleBetas(spec)];
  const T = betas.length - 1;
  const alphas = betas.map((b) => new D(1).minus(b));
  const alphaBar = [new D(1)];
  for (let t = 1; t <= T; t++) alphaBar.push(alphaBar[t - 1].times(alphas[t]));
  const oneMinus = alphaBar.map((a) => new D(1).minus(a));
  const posteriorVariance = betas.map((b, t) => (t === 0 ? new D(0) : oneMinus[t - 1].div(oneMinus[t]).times(b)));
  const logVariance = (t: number) =>
    t === 1 ? (T > 1 ? posteriorVariance[2].ln() : betas[1].ln()) : posteriorVariance[t].ln();
  const table = (f: (t: number) => Big | number) => () => Float64Array.from({ length: T + 1 }, (_, t) => Number(f(t)));
  const fields: Record<Exclude<keyof OracleTables, 'T'>, () => Float64Array> = {
    betas: table((t) => betas[t]),
    alphas: table((t) => alphas[t]),
    alphaBar: table((t) => alphaBar[t]),
    logAlphaBar: table((t) => alphaBar[t].ln()),
    oneMinusAlphaBar: table((t) => oneMinus[t]),
    posteriorVariance: table((t) => posteriorVariance[t]),
    posteriorLogVarianceClipped: table((t) => (t === 0 ? 0 : logVariance(t))),
    posteriorMeanCoefX0: table((t) => (t === 0 ? 0 : alphaBar[t - 1].sqrt().times(betas[t]).div(oneMinus[t]))),
    posteriorMeanCoefXt: table((t) =>
      t === 0
        ? 0
        : alphas[t]
            .sqrt()
            .times(oneMinus[t - 1])
            .div(oneMinus[t]),
    ),
    snr: table((t) => (t === 0 ? Infinity : alphaBar[t].div(oneMinus[t]))),
  };
  // Each table is computed when first read: the logarithms cost about a millisecond each at 64 digits.
  const tables = { T } as OracleTables;
  for (const [name, compute] of Object.entries(fields)) {
    let value: Float64Array | undefined;
    Object.defineProperty(tables, name, { enumerable: true, get: () => (value ??= compute()) });
  }
  return tables;
}
