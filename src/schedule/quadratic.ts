import { linspace } from './linspace.js';

// beta_t = linspace(sqrt(beta_1), sqrt(beta_T), T)_t^2  (diffusers "scaled_linear")
export function quadraticBetas(T: number, betaStart: number, betaEnd: number): Float64Array {
  return linspace(Math.sqrt(betaStart), Math.sqrt(betaEnd), T).map((r) => r * r);
}
