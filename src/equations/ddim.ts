import type { NoiseLevel } from './alphas.js';

// sigma_t(eta) = eta sqrt((1 - alpha-bar_{t-1}) / (1 - alpha-bar_t)) sqrt(1 - alpha-bar_t / alpha-bar_{t-1})  (Song et al. 2021, eq. 16)
export function ddimSigma(eta: number, current: NoiseLevel, previous: NoiseLevel, oneMinusRatio: number): number {
  return eta * Math.sqrt(previous.oneMinusAlphaBar / current.oneMinusAlphaBar) * Math.sqrt(oneMinusRatio);
}

// x_{t-1} = sqrt(alpha-bar_{t-1}) x0^ + sqrt(1 - alpha-bar_{t-1} - sigma_t^2) eps^ + sigma_t z  (Song et al. 2021, eq. 12)
export function ddimStepCoefficients(previous: NoiseLevel, sigma: number): { x0: number; eps: number; noise: number } {
  return { x0: Math.sqrt(previous.alphaBar), eps: Math.sqrt(Math.max(0, previous.oneMinusAlphaBar - sigma * sigma)), noise: sigma };
}

// x_{t+1} = sqrt(alpha-bar_{t+1}) x0^ + sqrt(1 - alpha-bar_{t+1}) eps^  (Song et al. 2021, eq. 12 with sigma = 0, run forward: the DDIM inversion)
export function ddimReverseCoefficients(next: NoiseLevel): { x0: number; eps: number } {
  return { x0: Math.sqrt(next.alphaBar), eps: Math.sqrt(next.oneMinusAlphaBar) };
}

/**
 * K timesteps out of 1..T for respaced sampling, descending: t_k = round(k T / K), k = K..1.
 * Sampling runs t_K -> t_{K-1} -> ... -> t_1 -> 0, where alpha-bar_0 = 1 (improved-diffusion's final DDIM step).
 */
export function respacedTimesteps(T: number, K: number): number[] {
  const steps: number[] = [];
  for (let k = K; k >= 1; k--) {
    const t = Math.round((k * T) / K);
    if (t >= 1 && steps[steps.length - 1] !== t) steps.push(t);
  }
  return steps;
}
