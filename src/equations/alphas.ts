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

// SNR(t) = alpha-bar_t / (1 - alpha-bar_t)  (Kingma et al. 2021, eq. 2)
export function signalToNoiseRatio(alphaBar: number): number {
  return alphaBar / (1 - alphaBar);
}
