// alpha_t = 1 - beta_t  (Ho et al. 2020, sec. 2)
export function alphaFromBeta(beta: number): number {
  return 1 - beta;
}

// alpha-bar_t = prod_{s=1..t} alpha_s, alpha-bar_0 = 1  (Ho et al. 2020, sec. 2); a running product, index t
export function alphaBarFromAlphas(alphas: Float64Array): Float64Array {
  const out = new Float64Array(alphas.length + 1);
  out[0] = 1;
  for (let t = 1; t <= alphas.length; t++) out[t] = out[t - 1] * alphas[t - 1];
  return out;
}

// log alpha-bar_t = sum_{s=1..t} log(1 - beta_s), computed with log1p so small betas keep their digits; index t
export function logAlphaBarFromBetas(betas: Float64Array): Float64Array {
  const out = new Float64Array(betas.length + 1);
  for (let t = 1; t <= betas.length; t++) out[t] = out[t - 1] + Math.log1p(-betas[t - 1]);
  return out;
}

// 1 - alpha-bar_t = -expm1(log alpha-bar_t): free of the cancellation
// of 1 - alpha-bar_t when alpha-bar_t is near 1 (small t)
export function oneMinusAlphaBarFromLog(logAlphaBar: number): number {
  return -Math.expm1(logAlphaBar);
}

// 1 - alpha-bar_to / alpha-bar_from = 1 - prod_{s=from+1..to} (1 - beta_s) =
// -expm1(sum log1p(-beta_s)), summed over the range itself (a difference of prefix
// sums of logs would cancel for nearby steps); betas indexed by t, entry 0 unused
export function oneMinusAlphaBarRatio(betas: Float64Array, from: number, to: number): number {
  let logRatio = 0;
  for (let s = from + 1; s <= to; s++) logRatio += Math.log1p(-betas[s]);
  return -Math.expm1(logRatio);
}

/** alpha-bar_t together with 1 - alpha-bar_t, each accurate to a few ulp of its own size. */
export interface NoiseLevel {
  alphaBar: number;
  oneMinusAlphaBar: number;
}

// SNR(t) = alpha-bar_t / (1 - alpha-bar_t)  (Kingma et al. 2021, eq. 2)
export function signalToNoiseRatio(level: NoiseLevel): number {
  return level.alphaBar / level.oneMinusAlphaBar;
}
