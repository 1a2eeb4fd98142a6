// KL(N(m1, e^lv1) || N(m2, e^lv2)) = 0.5 (-1 + lv2 - lv1 + e^(lv1 - lv2) + (m1 - m2)^2 e^(-lv2)), per element
// (improved-diffusion's losses.normal_kl; Nichol & Dhariwal 2021, sec. 2.1)
export function normalKl(mean1: number, logVariance1: number, mean2: number, logVariance2: number): number {
  return (
    0.5 *
    (-1 +
      logVariance2 -
      logVariance1 +
      Math.exp(logVariance1 - logVariance2) +
      (mean1 - mean2) ** 2 * Math.exp(-logVariance2))
  );
}

// Phi(x) ~ 0.5 (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))): the standard normal CDF as improved-diffusion approximates
// it (losses.approx_standard_normal_cdf; Page 1977)
export function approxStandardNormalCdf(x: number): number {
  return 0.5 * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x * x * x)));
}

/** The floor improved-diffusion clamps probabilities to before their log. */
const PROBABILITY_FLOOR = 1e-12;

// log P(x) for x on the 256 levels -1 + 2k/255 under N(mean, e^(2 logScale)) discretised to bins of width 2/255, the
// first and last bins open to -inf and +inf: log Phi(+) at x < -0.999, log(1 - Phi(-)) at x > 0.999, else
// log(Phi(+) - Phi(-)), Phi(+-) = Phi((x - mean +- 1/255) e^-logScale)  (Ho et al. 2020, eq. 13; improved-diffusion's
// discretized_gaussian_log_likelihood)
export function discretizedGaussianLogLikelihood(x: number, mean: number, logScale: number): number {
  const inverseScale = Math.exp(-logScale);
  const cdfPlus = approxStandardNormalCdf(inverseScale * (x - mean + 1 / 255));
  const cdfMinus = approxStandardNormalCdf(inverseScale * (x - mean - 1 / 255));
  if (x < -0.999) return Math.log(Math.max(cdfPlus, PROBABILITY_FLOOR));
  if (x > 0.999) return Math.log(Math.max(1 - cdfMinus, PROBABILITY_FLOOR));
  return Math.log(Math.max(cdfPlus - cdfMinus, PROBABILITY_FLOOR));
}
