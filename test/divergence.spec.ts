// The statistics the training specs rely on, against known answers.
import { describe, expect, it } from 'vitest';
import { gaussianValues } from '../src/random/gaussian.js';
import { knnKlDivergence } from '../src/stats/divergence.js';
import { chiSquareUniformTest } from '../src/stats/tests.js';

describe('k-NN KL estimate (Wang, Kulkarni & Verdu 2009)', () => {
  it('estimates KL(N(0, I) || N(mu, I)) = |mu|^2 / 2 in 2-D and about 0 for equal laws', () => {
    const n = 2000;
    const x = gaussianValues(1, 0, 2 * n);
    const y = gaussianValues(2, 0, 2 * n);
    const shifted = y.map((v, i) => (i % 2 === 0 ? v + 1 : v));
    expect(Math.abs(knnKlDivergence(x, y, 2, 5))).toBeLessThan(0.05);
    expect(knnKlDivergence(x, shifted, 2, 5)).toBeCloseTo(0.5, 1);
  });
});

describe('chi-square goodness of fit to a uniform law', () => {
  it('gives p = 0.05 at the 95% quantile of chi^2 with 19 degrees of freedom (30.1435)', () => {
    // 20 cells of 100 expected; X^2 = sum (O - E)^2 / E = 30.1435 with two cells moved by d = sqrt(30.1435 * 100 / 2).
    const d = Math.sqrt((30.1435 * 100) / 2);
    const counts = new Array(20).fill(100);
    counts[0] += d;
    counts[1] -= d;
    const outcome = chiSquareUniformTest(counts, 0.05);
    expect(outcome.statistic).toBeCloseTo(30.1435, 6);
    expect(outcome.pValue).toBeCloseTo(0.05, 3);
  });
});
