import type { NoiseLevel } from './alphas.js';

// beta~_t = (1 - alpha-bar_{t-1}) / (1 - alpha-bar_t) * beta_t  (Ho et al. 2020, eq. 7); 0 at t = 1
export function posteriorVariance(beta: number, previous: NoiseLevel, current: NoiseLevel): number {
  return (previous.oneMinusAlphaBar / current.oneMinusAlphaBar) * beta;
}

// mu~_t = sqrt(alpha-bar_{t-1}) beta_t / (1 - alpha-bar_t) x_0 + sqrt(alpha_t)
// (1 - alpha-bar_{t-1}) / (1 - alpha-bar_t) x_t  (Ho et al. 2020, eq. 7)
export function posteriorMeanCoefficients(
  beta: number,
  alpha: number,
  previous: NoiseLevel,
  current: NoiseLevel,
): { x0: number; xt: number } {
  return {
    x0: (Math.sqrt(previous.alphaBar) * beta) / current.oneMinusAlphaBar,
    xt: (Math.sqrt(alpha) * previous.oneMinusAlphaBar) / current.oneMinusAlphaBar,
  };
}

// log beta~_t, with t = 1 (where beta~_1 = 0) taking log beta~_2  (improved-diffusion, gaussian_diffusion.py:
// posterior_log_variance_clipped). With T = 1 there is no beta~_2; log beta_1 is used.
export function clippedPosteriorLogVariance(posteriorVariances: Float64Array, betas: Float64Array, t: number): number {
  if (t > 1) return Math.log(posteriorVariances[t]);
  return posteriorVariances.length > 2 ? Math.log(posteriorVariances[2]) : Math.log(betas[1]);
}
