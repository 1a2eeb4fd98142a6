import { linspace } from './linspace.js';

// beta_t = linspace(beta_1, beta_T, T)_t  (Ho et al. 2020, sec. 4; no 1000/T rescaling)
export function linearBetas(T: number, betaStart: number, betaEnd: number): Float64Array {
  return linspace(betaStart, betaEnd, T);
}
