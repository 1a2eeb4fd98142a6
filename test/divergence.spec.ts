// The statistics the training specs rely on, against known answers.
import { describe, expect, it } from 'vitest';
import { gaussianValues } from '../src/random/gaussian.js';
import { knnKlDivergence } from '../src/stats/divergence.js';
import { chiSquareUniformTest, ksTwoSampleTest } from '../src/stats/tests.js';

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

describe('two-sample Kolmogorov-Smirnov test', () => {
  it('measures D = sup |F_x - F_y| with ties, and separates equal from shifted laws', () => {
    const range = (lo: number) => Array.from({ length: 100 }, (_, i) => lo + i);
    expect(ksTwoSampleTest(range(0), range(50), 0.001).statistic).toBe(0.5);
    // At 0 the empirical CDFs are 2/3 and 1/3; at 1 both are 1.
    expect(ksTwoSampleTest([0, 0, 1], [0, 1, 1], 0.001).statistic).toBeCloseTo(1 / 3, 15);
    const x = gaussianValues(1, 0, 4000);
    const y = gaussianValues(2, 0, 4000);
    expect(ksTwoSampleTest(x, y, 0.001).pValue).toBeGreaterThan(0.01);
    expect(
      ksTwoSampleTest(
        x,
        y.map((v) => v + 0.2),
        0.001,
      ).pValue,
    ).toBeLessThan(1e-6);
  });
});
