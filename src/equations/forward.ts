import type { NoiseLevel } from './alphas.js';

/** Coefficients of x_t = signal * x_prev + noise * eps. */
export interface NoisingCoefficients {
  signal: number;
  noise: number;
}

// q(x_t | x_{t-1}) = N(sqrt(1 - beta_t) x_{t-1}, beta_t I)  (Ho et al. 2020, eq. 2)
export function forwardStepCoefficients(beta: number): NoisingCoefficients {
  return { signal: Math.sqrt(1 - beta), noise: Math.sqrt(beta) };
}

// q(x_t | x_0) = N(sqrt(alpha-bar_t) x_0, (1 - alpha-bar_t) I)  (Ho et al. 2020, eq. 4)
export function closedFormCoefficients(level: NoiseLevel): NoisingCoefficients {
  return { signal: Math.sqrt(level.alphaBar), noise: Math.sqrt(level.oneMinusAlphaBar) };
}
