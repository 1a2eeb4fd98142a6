export interface AdamHyperparameters {
  learningRate: number;
  beta1: number;
  beta2: number;
  epsilon: number;
}

/** Adam's defaults (Kingma & Ba 2015, Algorithm 1), learning rate as in Ho et al. 2020 (2e-4). */
export const DEFAULT_ADAM: AdamHyperparameters = { learningRate: 2e-4, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 };

/** The hyper-parameters of step k with the bias corrections 1 / (1 - beta^k). */
export interface AdamCoefficients extends AdamHyperparameters {
  mCorrection: number;
  vCorrection: number;
}

export function adamCoefficients(h: AdamHyperparameters, step: number): AdamCoefficients {
  return { ...h, mCorrection: 1 / (1 - h.beta1 ** step), vCorrection: 1 / (1 - h.beta2 ** step) };
}

// m_k = b1 m + (1 - b1) g; v_k = b2 v + (1 - b2) g^2; theta -= lr (m_k / (1 - b1^k)) / (sqrt(v_k / (1 - b2^k)) + eps)
// (Kingma & Ba 2015, Algorithm 1). In place, elements [0, param.length).
export function adamUpdateInPlace(
  param: Float64Array,
  grad: ArrayLike<number>,
  m: Float64Array,
  v: Float64Array,
  c: AdamCoefficients,
): void {
  const { learningRate, beta1, beta2, epsilon, mCorrection, vCorrection } = c;
  for (let i = 0; i < param.length; i++) {
    const g = grad[i];
    const mi = beta1 * m[i] + (1 - beta1) * g;
    const vi = beta2 * v[i] + (1 - beta2) * g * g;
    m[i] = mi;
    v[i] = vi;
    param[i] -= (learningRate * (mi * mCorrection)) / (Math.sqrt(vi * vCorrection) + epsilon);
  }
}
