import { requireInput } from '../errors.js';
import type { NoiseLevel } from './alphas.js';

// sigma_t(eta) = eta sqrt((1 - alpha-bar_{t-1}) / (1 - alpha-bar_t)) sqrt(1 - alpha-bar_t / alpha-bar_{t-1})  (Song et al. 2021, eq. 16)
// eta in [0, 1]: 0 is DDIM, 1 DDPM's beta~_t. Above 1, sigma_t^2 exceeds 1 - alpha-bar_{t-1} at some steps, eq. 12 has no
// real eps coefficient and the family no longer keeps q(x_t | x_0): such an eta is rejected (resolveOptions), not clamped.
export function ddimSigma(eta: number, current: NoiseLevel, previous: NoiseLevel, oneMinusRatio: number): number {
  return eta * Math.sqrt(previous.oneMinusAlphaBar / current.oneMinusAlphaBar) * Math.sqrt(oneMinusRatio);
}

// x_{t-1} = sqrt(alpha-bar_{t-1}) x0^ + sqrt(1 - alpha-bar_{t-1} - sigma_t^2) eps^ + sigma_t z  (Song et al. 2021, eq. 12)
// For eta <= 1, 1 - ab_{t-1} - sigma^2 = (1 - ab_{t-1})(1 - eta^2 (1 - ab_t/ab_{t-1})/(1 - ab_t)) >= 0: max(0, .) absorbs rounding only.
export function ddimStepCoefficients(previous: NoiseLevel, sigma: number): { x0: number; eps: number; noise: number } {
  return { x0: Math.sqrt(previous.alphaBar), eps: Math.sqrt(Math.max(0, previous.oneMinusAlphaBar - sigma * sigma)), noise: sigma };
}

// x_{t+1} = sqrt(alpha-bar_{t+1}) x0^ + sqrt(1 - alpha-bar_{t+1}) eps^  (Song et al. 2021, eq. 12 with sigma = 0, run forward: the DDIM inversion)
export function ddimReverseCoefficients(next: NoiseLevel): { x0: number; eps: number } {
  return { x0: Math.sqrt(next.alphaBar), eps: Math.sqrt(next.oneMinusAlphaBar) };
}

// tau_i = floor(i T / K), i = K..1: K evenly spaced timesteps from T down (Song et al. 2021, sec. 4.2 and appendix D.2,
// "linear" tau). Sampling runs tau_K -> ... -> tau_1 -> 0, where alpha-bar_0 = 1 (improved-diffusion's final DDIM step).
export function respacedTimesteps(T: number, K: number): number[] {
  requireInput(Number.isInteger(K) && K >= 1 && K <= T, 'steps', `must be an integer in 1..${T} (the schedule's T), got ${K}`);
  return Array.from({ length: K }, (_, j) => Math.floor(((K - j) * T) / K));
}
