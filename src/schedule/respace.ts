import { requireInput } from '../errors.js';

// tau_i = floor(i T / K), i = K..1: K evenly spaced timesteps from T down (Song et al. 2021, DDIM, sec. 4.2 and appendix D.2, "linear" tau).
export function evenlySpacedTimesteps(T: number, K: number): number[] {
  requireInput(Number.isInteger(K) && K >= 1 && K <= T, 'steps', `must be an integer in 1..${T} (the schedule's T), got ${K}`);
  return Array.from({ length: K }, (_, j) => Math.floor(((K - j) * T) / K));
}
