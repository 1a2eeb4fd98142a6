const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);
const GELU_CUBIC = 0.044715;

// GELU(x) ~ 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))
// (Hendrycks & Gimpel 2016, sec. 2, the tanh form used by DiT)
export function gelu(x: number): number {
  return 0.5 * x * (1 + Math.tanh(SQRT_2_OVER_PI * (x + GELU_CUBIC * x * x * x)));
}

// d/dx of the tanh form: 0.5 (1 + th) + 0.5 x (1 - th^2) sqrt(2/pi)
// (1 + 3 0.044715 x^2), th = tanh(sqrt(2/pi) (x + 0.044715 x^3))
export function geluDerivative(x: number): number {
  const th = Math.tanh(SQRT_2_OVER_PI * (x + GELU_CUBIC * x * x * x));
  return 0.5 * (1 + th) + 0.5 * x * (1 - th * th) * SQRT_2_OVER_PI * (1 + 3 * GELU_CUBIC * x * x);
}

// SiLU(x) = x sigmoid(x) = x / (1 + exp(-x))  (Elfwing et al. 2018; Ramachandran et al. 2017's swish)
export function silu(x: number): number {
  return x / (1 + Math.exp(-x));
}

// d/dx SiLU = sigmoid(x) (1 + x (1 - sigmoid(x)))
export function siluDerivative(x: number): number {
  const s = 1 / (1 + Math.exp(-x));
  return s * (1 + x * (1 - s));
}
