// DDIM's respaced timesteps (src/equations/ddim.ts): tau_i = floor(i T / K), i = K..1 (Song et al. 2021, sec. 4.2 and
// appendix D.2). The sampling group and `diffspec sample --steps K` build their timesteps with it; a step count outside
// 1..T must be rejected naming the option, never turned into repeated or out-of-range timesteps.
import { describe, expect, it } from 'vitest';
import { respacedTimesteps } from '../src/equations/ddim.js';
import { DiffspecInputError } from '../src/errors.js';

describe('respacedTimesteps', () => {
  it('gives K timesteps floor(i T / K) from T down', () => {
    expect(respacedTimesteps(1000, 4)).toEqual([1000, 750, 500, 250]);
    expect(respacedTimesteps(10, 3)).toEqual([10, 6, 3]);
    expect(respacedTimesteps(5, 5)).toEqual([5, 4, 3, 2, 1]);
    expect(respacedTimesteps(7, 1)).toEqual([7]);
  });

  it.each([0, -1, 11, 2.5, NaN])('rejects %s steps for T = 10, naming steps', (K) => {
    const call = () => respacedTimesteps(10, K);
    expect(call).toThrow(DiffspecInputError);
    expect(call).toThrow(/^steps: must be an integer in 1\.\.10/);
  });
});
