import { requireInput } from '../errors.js';
import type { NoiseLevel } from './alphas.js';

// sigma_t(eta) = eta sqrt((1 - alpha-bar_{t-1}) / (1 - alpha-bar_t)) sqrt(1 - alpha-bar_t /
// alpha-bar_{t-1})  (Song et al. 2021, eq. 16) eta in [0, 1]: 0 is DDIM, 1 DDPM's beta~_t. Above
// 1, sigma_t^2 exceeds 1 - alpha-bar_{t-1} at some steps, eq. 12 has no real eps coefficient and
// the family no longer keeps q(x_t | x_0): such an eta is rejected (resolveOptions), not clamped.
// Within [0, 1] no max(0, .) guard is needed: ddimStepCoefficients sums non-negative terms.
function ddimSigma(eta: number, current: NoiseLevel, previous: NoiseLevel, oneMinusRatio: number): number {
  return eta * Math.sqrt(previous.oneMinusAlphaBar / current.oneMinusAlphaBar) * Math.sqrt(oneMinusRatio);
}

// x_{t-1} = sqrt(alpha-bar_{t-1}) x0^ + sqrt(1 - alpha-bar_{t-1} - sigma_t^2) eps^ + sigma_t z  (Song
// et al. 2021, eq. 12) Notation: ab = alpha-bar_t, ab' = alpha-bar_{t-1}, r = (1 - ab/ab') / (1 -
// ab), so sigma_t^2 = eta^2 (1 - ab') r. 1 - ab' - sigma_t^2 = (1 - ab') ((1 - r) + (1 - eta^2) r), 1
// - r = ab (1 - ab') / (ab' (1 - ab)): a sum of non-negative terms for eta in [0, 1], free of the
// cancellation of 1 - ab' - sigma^2, which loses digits as sigma^2 nears 1 - ab' (eta -> 1, t' << t).
export function ddimStepCoefficients(
  eta: number,
  current: NoiseLevel,
  previous: NoiseLevel,
  oneMinusRatio: number,
): { x0: number; eps: number; noise: number } {
  const r = oneMinusRatio / current.oneMinusAlphaBar;
  const oneMinusR = (current.alphaBar * previous.oneMinusAlphaBar) / (previous.alphaBar * current.oneMinusAlphaBar);
  const eps = Math.sqrt(previous.oneMinusAlphaBar * (oneMinusR + (1 - eta * eta) * r));
  return { x0: Math.sqrt(previous.alphaBar), eps, noise: ddimSigma(eta, current, previous, oneMinusRatio) };
}

// x_{t+1} = sqrt(alpha-bar_{t+1}) x0^ + sqrt(1 - alpha-bar_{t+1}) eps^
// (Song et al. 2021, eq. 12 with sigma = 0, run forward: the DDIM inversion)
export function ddimReverseCoefficients(next: NoiseLevel): { x0: number; eps: number } {
  return { x0: Math.sqrt(next.alphaBar), eps: Math.sqrt(next.oneMinusAlphaBar) };
}

// tau_i = floor(i T / K), i = K..1: K evenly spaced timesteps from T down (Song et al. 2021, sec. 4.2 and appendix D.2,
// "linear" tau). Sampling runs tau_K -> ... -> tau_1 -> 0,
// where alpha-bar_0 = 1 (improved-diffusion's final DDIM step).
export function respacedTimesteps(T: number, K: number): number[] {
  requireInput(
    Number.isInteger(K) && K >= 1 && K <= T,
    'steps',
    `must be an integer in 1..${T} (the schedule's T), got ${K}`,
  );
  return Array.from({ length: K }, (_, j) => Math.floor(((K - j) * T) / K));
}
