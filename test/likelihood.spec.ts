// The equations of the variational bound in bits/dim (src/equations/likelihood.ts), against independent evaluations:
// the Gaussian KL by quadrature of its integral, the discretised likelihood by the total probability of its 256 bins.
import { describe, expect, it } from 'vitest';
import { approxStandardNormalCdf, discretizedGaussianLogLikelihood, normalKl } from '../src/equations/likelihood.js';
import { gaussianValues } from '../src/random/gaussian.js';

/** KL(p || q) = integral p log(p / q) by Simpson's rule over mean1 +- 12 sd1 (the tails beyond add < 1e-30). */
function klByQuadrature(m1: number, lv1: number, m2: number, lv2: number): number {
  const [s1, s2] = [Math.exp(lv1 / 2), Math.exp(lv2 / 2)];
  const logDensity = (x: number, m: number, s: number) =>
    -0.5 * ((x - m) / s) ** 2 - Math.log(s) - 0.5 * Math.log(2 * Math.PI);
  const n = 20000;
  const [a, b] = [m1 - 12 * s1, m1 + 12 * s1];
  const h = (b - a) / n;
  let sum = 0;
  for (let i = 0; i <= n; i++) {
    const x = a + i * h;
    const lp = logDensity(x, m1, s1);
    const f = Math.exp(lp) * (lp - logDensity(x, m2, s2));
    sum += (i === 0 || i === n ? 1 : i % 2 === 1 ? 4 : 2) * f;
  }
  return (sum * h) / 3;
}

describe('Gaussian KL', () => {
  it('equals the quadrature of integral p log(p / q), and 0 between equal Gaussians', () => {
    const v = gaussianValues(20261126, 0, 40);
    for (let i = 0; i < 40; i += 4) {
      const [m1, lv1, m2, lv2] = [v[i], v[i + 1], v[i + 2], v[i + 3]];
      const kl = normalKl(m1, lv1, m2, lv2);
      // Simpson's error with 20000 panels over 24 sd is far below 1e-9 for these smooth integrands.
      expect(Math.abs(kl - klByQuadrature(m1, lv1, m2, lv2))).toBeLessThan(1e-9 * (1 + kl));
      // Equal Gaussians: 0 up to the roundings of -1 + lv - lv + 1 (a few ulp of 1 + |lv|).
      expect(Math.abs(normalKl(m1, lv1, m1, lv1))).toBeLessThan(4 * 2 ** -53 * (1 + Math.abs(lv1)));
    }
  });
});

describe('discretised Gaussian likelihood', () => {
  it('sums to 1 over the 256 bins of [-1, 1] for any mean and scale', () => {
    const v = gaussianValues(20261126, 1, 40);
    for (let i = 0; i < 40; i += 2) {
      const [mean, logScale] = [0.6 * v[i], -3 + 1.5 * v[i + 1]];
      let total = 0;
      for (let k = 0; k < 256; k++)
        total += Math.exp(discretizedGaussianLogLikelihood(-1 + (2 * k) / 255, mean, logScale));
      // The bins telescope exactly; left: the 1e-12 floors of bins far in the tails (256 at most) and roundings.
      expect(Math.abs(total - 1)).toBeLessThan(256 * 1e-12 + 1e-12);
    }
  });

  it('uses a CDF that is 0.5 at 0, symmetric and within 2e-4 of Phi at 1', () => {
    expect(approxStandardNormalCdf(0)).toBe(0.5);
    expect(approxStandardNormalCdf(1.3) + approxStandardNormalCdf(-1.3)).toBeCloseTo(1, 15);
    expect(Math.abs(approxStandardNormalCdf(1) - 0.8413447460685429)).toBeLessThan(2e-4);
  });
});
