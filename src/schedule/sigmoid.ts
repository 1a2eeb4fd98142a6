import { linspace } from './linspace.js';

// beta_t = sigmoid(linspace(a, b, T)_t) * (beta_T - beta_1) + beta_1  (Xu et al. 2022, GeoDiff; a = -6, b = 6)
export function sigmoidBetas(T: number, betaStart: number, betaEnd: number, a: number, b: number): Float64Array {
  return linspace(a, b, T).map((x) => (1 / (1 + Math.exp(-x))) * (betaEnd - betaStart) + betaStart);
}
