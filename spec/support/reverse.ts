// Expected values of the reverse-process quantities, computed by the specs in float64 with running magnitudes.
//   eps:  x0^ = (x_t - sqrt(1 - ab_t) eps) / sqrt(ab_t)           (Ho et al. 2020, eq. 4 solved for x_0)
//   v:    x0^ = sqrt(ab_t) x_t - sqrt(1 - ab_t) v                   (Salimans & Ho 2022, sec. 4)
//   x0:   x0^ = model output
//   mu = c1 x0^ + c2 x_t with the posterior coefficients            (Ho et al. 2020, eq. 7)
import type { ConventionFlags } from '../../src/conventions/profile.js';
import type { PredictionType } from '../../src/equations/prediction.js';
import type { VarianceType } from '../../src/equations/variance.js';
import type { ScheduleTables } from '../../src/schedule/tables.js';
import { atT, combine, type Expected } from '../../src/speckit/combination.js';
import { type Tensor, tensor } from '../../src/tensor.js';

export function expectedX0(
  prediction: PredictionType,
  s: ScheduleTables,
  t: readonly number[],
  xt: ArrayLike<number>,
  out: ArrayLike<number>,
): Expected {
  const n = t.length;
  switch (prediction) {
    case 'eps':
      return combine(n, [
        { coef: atT(t, (u) => 1 / Math.sqrt(s.alphaBar[u])), x: xt },
        { coef: atT(t, (u) => -Math.sqrt(s.oneMinusAlphaBar[u]) / Math.sqrt(s.alphaBar[u])), x: out },
      ]);
    case 'v':
      return combine(n, [
        { coef: atT(t, (u) => Math.sqrt(s.alphaBar[u])), x: xt },
        { coef: atT(t, (u) => -Math.sqrt(s.oneMinusAlphaBar[u])), x: out },
      ]);
    case 'x0':
      return combine(n, [{ coef: atT(t, () => 1), x: out }]);
  }
}

export function expectedPosteriorMean(
  s: ScheduleTables,
  t: readonly number[],
  x0: Expected | ArrayLike<number>,
  xt: ArrayLike<number>,
): Expected {
  return combine(t.length, [
    { coef: atT(t, (u) => s.posteriorMeanCoefX0[u]), x: x0 },
    { coef: atT(t, (u) => s.posteriorMeanCoefXt[u]), x: xt },
  ]);
}

/** clip to [-1, 1]: exact, so the magnitude and flush count carry over. */
export function clipped(e: Expected): Expected {
  return { value: e.value.map((v) => Math.min(1, Math.max(-1, v))), scale: e.scale, floor: e.floor };
}

/** eps from x_t and x0^: (x_t - sqrt(ab_t) x0^) / sqrt(1 - ab_t). */
export function expectedEpsFromX0(
  s: ScheduleTables,
  t: readonly number[],
  xt: ArrayLike<number>,
  x0: Expected,
): Expected {
  return combine(t.length, [
    { coef: atT(t, (u) => 1 / Math.sqrt(s.oneMinusAlphaBar[u])), x: xt },
    { coef: atT(t, (u) => -Math.sqrt(s.alphaBar[u]) / Math.sqrt(s.oneMinusAlphaBar[u])), x: x0 },
  ]);
}

/** Per-batch constant broadcast over the item, as an Expected with its own magnitude. */
export function perItem(t: readonly number[], size: number, f: (t: number) => number): Expected {
  const m = size / t.length;
  const value = Float64Array.from({ length: size }, (_, i) => f(t[Math.floor(i / m)]));
  return { value, scale: value.map(Math.abs), floor: new Float64Array(size).fill(1) };
}

/** learned_range's model output: per item the C output channels, then C channels of v = tanh(raw) in (-1, 1). */
export function learnedRangeOutput(out: Tensor, raw: Tensor): Tensor {
  const n = out.shape[0];
  const m = out.data.length / n;
  const data = new Float64Array(2 * out.data.length);
  for (let b = 0; b < n; b++) {
    data.set(out.data.subarray(b * m, (b + 1) * m), 2 * b * m);
    data.set(raw.data.subarray(b * m, (b + 1) * m).map(Math.tanh), (2 * b + 1) * m);
  }
  return tensor([n, 2 * out.shape[1], ...out.shape.slice(2)], data);
}

/**
 * beta~_t as the reverse process takes it: under 'clamped' (diffusers' DDPMScheduler._get_variance) at least 1e-20,
 * so that at t = 1, where beta~_1 = 0, its log is log 1e-20.
 */
function reverseBetaTilde(s: ScheduleTables, t: number, c: ConventionFlags): number {
  return c.firstStepVariance === 'clamped' ? Math.max(s.posteriorVariance[t], 1e-20) : s.posteriorVariance[t];
}

/** log beta~_t as fixed_small and learned_range take it: the clipped log (t = 1 takes t = 2's), or the clamped one. */
export function reverseLogBetaTilde(s: ScheduleTables, t: number, c: ConventionFlags): number {
  return c.firstStepVariance === 'clamped' ? Math.log(reverseBetaTilde(s, t, c)) : s.posteriorLogVarianceClipped[t];
}

/**
 * sigma_t^2 and its log for each variance type (Ho et al. 2020, sec. 3.2; Nichol & Dhariwal 2021, eq. 15):
 * fixed_small beta~_t with the clipped log (t = 1 takes t = 2's), fixed_large beta_t (t = 1: beta~_2), learned_range
 * exp(frac log beta_t + (1 - frac) log beta~_t), frac = (v + 1) / 2 per element, v the output's second half. Under
 * the 'clamped' first-step variance (diffusers) fixed_large is beta_t at t = 1 too and beta~_1 is clamped at 1e-20.
 */
export function expectedVariance(
  variance: VarianceType,
  s: ScheduleTables,
  t: readonly number[],
  size: number,
  v: ArrayLike<number> | undefined,
  c: ConventionFlags,
): { variance: Expected; logVariance: Expected } {
  if (variance !== 'learned_range') {
    const clamped = c.firstStepVariance === 'clamped';
    const fixedLarge = (u: number) => (u === 1 && s.T >= 2 && !clamped ? s.posteriorVariance[2] : s.betas[u]);
    const value = (u: number) => (variance === 'fixed_small' ? reverseBetaTilde(s, u, c) : fixedLarge(u));
    const logValue = (u: number) => (variance === 'fixed_small' ? reverseLogBetaTilde(s, u, c) : Math.log(value(u)));
    return { variance: perItem(t, size, value), logVariance: perItem(t, size, logValue) };
  }
  const m = size / t.length;
  const logBeta = (i: number) => Math.log(s.betas[t[Math.floor(i / m)]]);
  const logPosterior = (i: number) => reverseLogBetaTilde(s, t[Math.floor(i / m)], c);
  const frac = (i: number) => (v![i] + 1) / 2;
  const value = Float64Array.from({ length: size }, (_, i) => frac(i) * logBeta(i) + (1 - frac(i)) * logPosterior(i));
  const scale = Float64Array.from({ length: size }, (_, i) => Math.abs(logBeta(i)) + Math.abs(logPosterior(i)));
  const ones = new Float64Array(size).fill(1);
  return {
    logVariance: { value, scale, floor: ones },
    variance: { value: value.map(Math.exp), scale: value.map((lv, i) => Math.exp(lv) * (1 + scale[i])), floor: ones },
  };
}

/**
 * 1 - ab_t/ab_p = 1 - prod_{s=p+1..t} alpha_s = sum_{s=p+1..t} beta_s prod_{r=s+1..t} alpha_r: positive terms, no
 * cancellation.
 */
function oneMinusRatio(s: ScheduleTables, p: number, t: number): number {
  let sum = 0;
  let tail = 1;
  for (let u = t; u > p; u--) {
    sum += s.betas[u] * tail;
    tail *= s.alphas[u];
  }
  return sum;
}

/**
 * DDIM's coefficients from t to p < t (Song et al. 2021, eqs. 12 and 16): sqrt(ab_p) on x0^, sqrt(1 - ab_p - sigma^2)
 * on eps^, sigma = eta sqrt((1 - ab_p)/(1 - ab_t)) sqrt(1 - ab_t/ab_p) on z. With q = (1 - ab_t/ab_p)/(1 - ab_t),
 * 1 - ab_p - sigma^2 = (1 - ab_p)(1 - eta^2 q) and 1 - eta^2 q = ab_t (1 - ab_p)/(ab_p (1 - ab_t)) + (1 - eta^2) q:
 * evaluated as that sum of non-negative terms, since the difference loses its digits as sigma^2 nears 1 - ab_p.
 */
export function ddimCoefficients(s: ScheduleTables, t: number, tPrev: number, eta: number, c: ConventionFlags) {
  // DDIM's last step (to t = 0) targets alpha-bar_1 under 'first-step' (diffusers' set_alpha_to_one=False).
  const p = tPrev === 0 && c.ddimFinalAlphaBar === 'first-step' ? 1 : tPrev;
  const ratio = oneMinusRatio(s, p, t);
  const q = ratio / s.oneMinusAlphaBar[t];
  const rest = (s.alphaBar[t] * s.oneMinusAlphaBar[p]) / (s.alphaBar[p] * s.oneMinusAlphaBar[t]);
  return {
    x0: Math.sqrt(s.alphaBar[p]),
    eps: Math.sqrt(s.oneMinusAlphaBar[p] * (rest + (1 - eta * eta) * q)),
    noise: eta * Math.sqrt(s.oneMinusAlphaBar[p] / s.oneMinusAlphaBar[t]) * Math.sqrt(ratio),
  };
}
