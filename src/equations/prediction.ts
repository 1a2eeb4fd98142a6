import type { NoiseLevel } from './alphas.js';

/** x = xt * x_t + out * modelOutput */
export interface LinearInXt {
  xt: number;
  out: number;
}

export type PredictionType = 'eps' | 'x0' | 'v';

// x_0 = sqrt(1 / alpha-bar_t) x_t - sqrt((1 - alpha-bar_t) / alpha-bar_t) eps  (Ho et al. 2020, eq. 4 solved for x_0)
function x0FromEpsCoefficients(level: NoiseLevel): LinearInXt {
  return { xt: 1 / Math.sqrt(level.alphaBar), out: -Math.sqrt(level.oneMinusAlphaBar / level.alphaBar) };
}

// x_0 = sqrt(alpha-bar_t) x_t - sqrt(1 - alpha-bar_t) v  (Salimans & Ho 2022, sec. 4)
function x0FromVCoefficients(level: NoiseLevel): LinearInXt {
  return { xt: Math.sqrt(level.alphaBar), out: -Math.sqrt(level.oneMinusAlphaBar) };
}

/** x_0 from the model output for each prediction type, as a linear combination of x_t and the output. */
export function x0Coefficients(prediction: PredictionType, level: NoiseLevel): LinearInXt {
  switch (prediction) {
    case 'eps':
      return x0FromEpsCoefficients(level);
    case 'v':
      return x0FromVCoefficients(level);
    case 'x0':
      return { xt: 0, out: 1 };
  }
}

// eps = (x_t - sqrt(alpha-bar_t) x_0) / sqrt(1 - alpha-bar_t)  (Ho et al.
// 2020, eq. 4 solved for eps; improved-diffusion _predict_eps_from_xstart)
export function epsFromX0Coefficients(level: NoiseLevel): { xt: number; x0: number } {
  return { xt: 1 / Math.sqrt(level.oneMinusAlphaBar), x0: -Math.sqrt(level.alphaBar / level.oneMinusAlphaBar) };
}
