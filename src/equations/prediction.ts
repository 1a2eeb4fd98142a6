/** x = a * x_t + b * modelOutput */
export interface LinearInXt {
  xt: number;
  out: number;
}

export type PredictionType = 'eps' | 'x0' | 'v';

// x_0 = sqrt(1 / alpha-bar_t) x_t - sqrt(1 / alpha-bar_t - 1) eps  (Ho et al. 2020, eq. 4 solved for x_0)
export function x0FromEpsCoefficients(alphaBar: number): LinearInXt {
  return { xt: Math.sqrt(1 / alphaBar), out: -Math.sqrt(1 / alphaBar - 1) };
}

// x_0 = sqrt(alpha-bar_t) x_t - sqrt(1 - alpha-bar_t) v  (Salimans & Ho 2022, sec. 4)
export function x0FromVCoefficients(alphaBar: number): LinearInXt {
  return { xt: Math.sqrt(alphaBar), out: -Math.sqrt(1 - alphaBar) };
}

/** x_0 from the model output for each prediction type, as a linear combination of x_t and the output. */
export function x0Coefficients(prediction: PredictionType, alphaBar: number): LinearInXt {
  switch (prediction) {
    case 'eps':
      return x0FromEpsCoefficients(alphaBar);
    case 'v':
      return x0FromVCoefficients(alphaBar);
    case 'x0':
      return { xt: 0, out: 1 };
  }
}

// eps = (sqrt(1 / alpha-bar_t) x_t - x_0) / sqrt(1 / alpha-bar_t - 1)  (improved-diffusion _predict_eps_from_xstart); as {xt, x0} coefficients
export function epsFromX0Coefficients(alphaBar: number): { xt: number; x0: number } {
  const denominator = Math.sqrt(1 / alphaBar - 1);
  return { xt: Math.sqrt(1 / alphaBar) / denominator, x0: -1 / denominator };
}

// v = sqrt(alpha-bar_t) eps - sqrt(1 - alpha-bar_t) x_0  (Salimans & Ho 2022, sec. 4)
export function vTargetCoefficients(alphaBar: number): { eps: number; x0: number } {
  return { eps: Math.sqrt(alphaBar), x0: -Math.sqrt(1 - alphaBar) };
}
