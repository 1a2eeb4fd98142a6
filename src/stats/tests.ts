import { normalCdf, normalQuantile, twoSidedNormalPValue } from './normal.js';

/** The result of one hypothesis test, as recorded in reports. */
export interface TestOutcome {
  test: string;
  statistic: number;
  pValue: number;
  alpha: number;
  n: number;
  /** The smallest deviation the test detects with 90% probability at this alpha and n. */
  detects: string;
}

/** The power used in every stated detectable deviation. */
const STATED_POWER = 0.9;
const Z_POWER = normalQuantile(STATED_POWER);

const zCritical = (alpha: number) => normalQuantile(1 - alpha / 2);

function mean(x: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i];
  return s / x.length;
}

/** H0: z_i iid with mean 0 and variance 1. Two-sided z-test on the sample mean. */
export function meanZeroTest(z: ArrayLike<number>, alpha: number): TestOutcome {
  const n = z.length;
  const statistic = mean(z) * Math.sqrt(n);
  return {
    test: 'mean = 0 (z-test)',
    statistic,
    pValue: twoSidedNormalPValue(statistic),
    alpha,
    n,
    detects: `|mean shift| >= ${fmt((zCritical(alpha) + Z_POWER) / Math.sqrt(n))} sd`,
  };
}

/**
 * H0: z_i iid N(0, 1). Two-sided test of sum z^2 ~ chi^2_n, through the Wilson-Hilferty cube-root normal
 * approximation ((X/n)^(1/3) - (1 - 2/(9n))) / sqrt(2/(9n)) ~ N(0, 1).
 */
export function unitVarianceTest(z: ArrayLike<number>, alpha: number): TestOutcome {
  const n = z.length;
  let ss = 0;
  for (let i = 0; i < n; i++) ss += z[i] * z[i];
  const v = 2 / (9 * n);
  const statistic = (Math.cbrt(ss / n) - (1 - v)) / Math.sqrt(v);
  // A variance ratio r moves (X/n)^(1/3) by about (r^(1/3) - 1): detectable when |r^(1/3) - 1| >= (z_a + z_b) sqrt(v).
  const step = (zCritical(alpha) + Z_POWER) * Math.sqrt(v);
  return {
    test: 'variance = 1 (chi-square, Wilson-Hilferty)',
    statistic,
    pValue: twoSidedNormalPValue(statistic),
    alpha,
    n,
    detects: `variance ratio outside [${fmt((1 - step) ** 3)}, ${fmt((1 + step) ** 3)}]`,
  };
}

/** Kolmogorov's limiting distribution, P(K > x) = 2 sum_{k>=1} (-1)^(k-1) exp(-2 k^2 x^2). */
function kolmogorovSurvival(x: number): number {
  if (x < 0.2) return 1;
  let s = 0;
  for (let k = 1; k <= 100; k++) {
    const term = Math.exp(-2 * k * k * x * x);
    s += (k % 2 === 1 ? 2 : -2) * term;
    if (term < 1e-17) break;
  }
  return Math.min(1, Math.max(0, s));
}

function kolmogorovCritical(alpha: number): number {
  let lo = 0.2;
  let hi = 5;
  for (let i = 0; i < 100; i++) {
    const mid = (lo + hi) / 2;
    if (kolmogorovSurvival(mid) > alpha) lo = mid;
    else hi = mid;
  }
  return hi;
}

/**
 * One-sample Kolmogorov-Smirnov test of x against the continuous CDF `cdf`, p-value from Kolmogorov's
 * distribution with Stephens' small-sample correction (sqrt(n) + 0.12 + 0.11 / sqrt(n)) D.
 * `allowance`: a known sup-distance delta between the law x is drawn from and `cdf` (a sampler's discretisation
 * error); D <= sup|F_n - F| + delta, so testing D - delta keeps the false-alarm rate at alpha.
 * Power: if the true CDF is at sup-distance Delta from `cdf`, D >= Delta - sup|F_n - F| and by the DKW
 * inequality sup|F_n - F| <= sqrt(ln(2/0.1) / 2n) with probability 0.9, so Delta >= D_crit + delta + that is detected.
 */
export function ksTest(
  x: ArrayLike<number>,
  cdf: (v: number) => number,
  alpha: number,
  against = 'N(0, 1)',
  allowance = 0,
): TestOutcome {
  const n = x.length;
  const sorted = Float64Array.from(x).sort();
  let d = 0;
  for (let i = 0; i < n; i++) {
    const f = cdf(sorted[i]);
    d = Math.max(d, (i + 1) / n - f, f - i / n);
  }
  const scale = Math.sqrt(n) + 0.12 + 0.11 / Math.sqrt(n);
  const dCritical = kolmogorovCritical(alpha) / scale;
  const dkw = Math.sqrt(Math.log(2 / (1 - STATED_POWER)) / (2 * n));
  return {
    test: `Kolmogorov-Smirnov against ${against}${allowance > 0 ? ` within ${fmt(allowance)}` : ''}`,
    statistic: d,
    pValue: kolmogorovSurvival(scale * Math.max(0, d - allowance)),
    alpha,
    n,
    detects: `CDF distance >= ${fmt(dCritical + allowance + dkw)}`,
  };
}

/**
 * Two-sample Kolmogorov-Smirnov test that x and y come from one continuous distribution: D = sup |F_x - F_y|, p-value
 * from Kolmogorov's distribution at the effective size n_e = n m / (n + m) with Stephens' correction, as ksTest.
 * Power by DKW as in ksTest, each empirical CDF within sqrt(ln(2/0.1) / 2 n) of its own with probability 0.9.
 */
export function ksTwoSampleTest(x: ArrayLike<number>, y: ArrayLike<number>, alpha: number): TestOutcome {
  const a = Float64Array.from(x).sort();
  const b = Float64Array.from(y).sort();
  let d = 0;
  for (let i = 0, j = 0; i < a.length && j < b.length; ) {
    const v = Math.min(a[i], b[j]);
    while (i < a.length && a[i] === v) i++;
    while (j < b.length && b[j] === v) j++;
    d = Math.max(d, Math.abs(i / a.length - j / b.length));
  }
  const ne = (a.length * b.length) / (a.length + b.length);
  const scale = Math.sqrt(ne) + 0.12 + 0.11 / Math.sqrt(ne);
  const dkw = (n: number) => Math.sqrt(Math.log(2 / (1 - STATED_POWER)) / (2 * n));
  const detectable = kolmogorovCritical(alpha) / scale + dkw(a.length) + dkw(b.length);
  return {
    test: 'two-sample Kolmogorov-Smirnov',
    statistic: d,
    pValue: kolmogorovSurvival(scale * d),
    alpha,
    n: Math.min(a.length, b.length),
    detects: `CDF distance >= ${fmt(detectable)}`,
  };
}

export const ksNormalTest = (z: ArrayLike<number>, alpha: number) => ksTest(z, normalCdf, alpha);

/** H0: x and y independent; Pearson r, with sqrt(n) r ~ N(0, 1) under H0 for large n. */
export function zeroCorrelationTest(x: ArrayLike<number>, y: ArrayLike<number>, alpha: number): TestOutcome {
  const n = x.length;
  const mx = mean(x);
  const my = mean(y);
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    sxy += (x[i] - mx) * (y[i] - my);
    sxx += (x[i] - mx) ** 2;
    syy += (y[i] - my) ** 2;
  }
  const r = sxy / Math.sqrt(sxx * syy);
  const statistic = r * Math.sqrt(n);
  return {
    test: 'correlation = 0',
    statistic,
    pValue: twoSidedNormalPValue(statistic),
    alpha,
    n,
    detects: `|correlation| >= ${fmt((zCritical(alpha) + Z_POWER) / Math.sqrt(n))}`,
  };
}

/** H0: k successes out of n ~ Binomial(n, p); two-sided normal approximation (n p (1 - p) >= 25 expected). */
export function binomialTest(k: number, n: number, p: number, alpha: number): TestOutcome {
  const sd = Math.sqrt(n * p * (1 - p));
  const statistic = (k - n * p) / sd;
  return {
    test: `binomial proportion = ${fmt(p)}`,
    statistic,
    pValue: twoSidedNormalPValue(statistic),
    alpha,
    n,
    detects: `|proportion - ${fmt(p)}| >= ${fmt(((zCritical(alpha) + Z_POWER) * Math.sqrt(p * (1 - p))) / Math.sqrt(n))}`,
  };
}

function fmt(x: number): string {
  return Number(x.toPrecision(3)).toString();
}

/** The upper alpha quantile of chi^2 with df degrees of freedom (Wilson-Hilferty). */
function chiSquareCritical(df: number, alpha: number): number {
  const v = 2 / (9 * df);
  return df * (1 - v + normalQuantile(1 - alpha) * Math.sqrt(v)) ** 3;
}

/**
 * H0: counts[i] ~ Multinomial(n, 1/K) (a fair die with K faces). Pearson's X^2 = sum (O - E)^2 / E ~ chi^2_{K-1},
 * one-sided, p-value through the Wilson-Hilferty normal approximation (E >= 5 per cell expected).
 * Power: under an alternative at Cohen's effect size w (w^2 = sum (p_i - 1/K)^2 K), X^2 is about noncentral
 * chi^2_{K-1}(lambda = n w^2), mean K - 1 + lambda, variance 2 (K - 1 + 2 lambda); the stated w is the smallest
 * with mean - z_0.9 sd >= the critical value (normal approximation of the noncentral law).
 */
export function chiSquareUniformTest(counts: ArrayLike<number>, alpha: number): TestOutcome {
  const k = counts.length;
  let n = 0;
  for (let i = 0; i < k; i++) n += counts[i];
  const expected = n / k;
  let statistic = 0;
  for (let i = 0; i < k; i++) statistic += (counts[i] - expected) ** 2 / expected;
  const df = k - 1;
  const v = 2 / (9 * df);
  const z = (Math.cbrt(statistic / df) - (1 - v)) / Math.sqrt(v);
  const critical = chiSquareCritical(df, alpha);
  let lambda = 0;
  for (let i = 0; i < 200; i++) lambda = Math.max(0, critical - df + Z_POWER * Math.sqrt(2 * (df + 2 * lambda)));
  // One value at probability (1 + r) / K, the rest sharing -r / K: w^2 = r^2 / (K - 1).
  const w = Math.sqrt(lambda / n);
  return {
    test: `chi-square goodness of fit to Uniform{1..${k}}`,
    statistic,
    pValue: 1 - normalCdf(z),
    alpha,
    n,
    detects: `Cohen's w >= ${fmt(w)}, e.g. one value drawn with probability (1 +- ${fmt(w * Math.sqrt(df))}) / ${k}`,
  };
}

/**
 * H0: (x_i, y_i) iid with x and y independent N(0, 1). Then r^2 = x^2 + y^2 ~ chi^2_2 (P(r^2 <= q) = 1 - exp(-q/2)) and
 * the angle atan2(y, x) is uniform on (-pi, pi], independent of r (the converse of Box & Muller 1958): with radius
 * bins at the chi^2_2 quantiles and equal angle bins, each of the R x A cells holds probability 1 / (R A), and
 * Pearson's chi-square over the cells (chiSquareUniformTest, power as stated there) sees dependence that leaves the
 * correlation 0.
 */
export function bivariateNormalTest(
  x: ArrayLike<number>,
  y: ArrayLike<number>,
  alpha: number,
  radiusBins = 8,
  angleBins = 8,
): TestOutcome {
  const counts = new Float64Array(radiusBins * angleBins);
  for (let i = 0; i < x.length; i++) {
    const radius = Math.floor(radiusBins * -Math.expm1(-(x[i] * x[i] + y[i] * y[i]) / 2));
    const angle = Math.floor((angleBins * (Math.atan2(y[i], x[i]) + Math.PI)) / (2 * Math.PI));
    counts[Math.min(radiusBins - 1, radius) * angleBins + Math.min(angleBins - 1, angle)]++;
  }
  const test = `(x, y) ~ N(0, I_2): chi-square over ${radiusBins} radius x ${angleBins} angle bins`;
  return { ...chiSquareUniformTest(counts, alpha), test };
}

/**
 * H0: x and y independent with finite fourth moments. Pearson's correlation of x^2 and y^2 (zeroCorrelationTest):
 * dependence through the magnitudes, as when two values share a Box-Muller uniform, shows here while corr(x, y) = 0.
 */
export function squaresUncorrelatedTest(x: ArrayLike<number>, y: ArrayLike<number>, alpha: number): TestOutcome {
  const square = (a: ArrayLike<number>) => Float64Array.from(a, (v) => v * v);
  return { ...zeroCorrelationTest(square(x), square(y), alpha), test: 'correlation of squares = 0' };
}
