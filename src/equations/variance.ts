export type VarianceType = 'fixed_small' | 'fixed_large' | 'learned_range';

// fixed_large: sigma_t^2 = beta_t, except t = 1 uses beta~_2 so the log stays finite  (Ho et al. 2020, sec. 3.2;
// improved-diffusion, GaussianDiffusion.p_mean_variance); with firstStep 'clamped', beta_t at every step
// (diffusers, DDPMScheduler._get_variance "fixed_large")
export function fixedLargeVariance(
  betas: Float64Array,
  posteriorVariances: Float64Array,
  t: number,
  firstStep: 'next-step' | 'clamped' = 'next-step',
): number {
  return firstStep === 'next-step' && t === 1 && posteriorVariances.length > 2 ? posteriorVariances[2] : betas[t];
}

// beta~_t clamped at 1e-20, so that its log is finite at t = 1 where beta~_1 = 0  (diffusers,
// DDPMScheduler._get_variance: torch.clamp(variance, min=1e-20))
export function clampedPosteriorVariance(posteriorVariance: number): number {
  return Math.max(posteriorVariance, 1e-20);
}

// learned_range: log sigma_t^2 = frac log beta_t + (1 - frac) log beta~_t (clipped), frac = (v +
// 1) / 2  (Nichol & Dhariwal 2021, eq. 15) As a linear map of v: log sigma^2 = scale * v + offset.
export function learnedRangeLogVarianceCoefficients(
  logBeta: number,
  clippedLogPosteriorVariance: number,
): { scale: number; offset: number } {
  return {
    scale: 0.5 * (logBeta - clippedLogPosteriorVariance),
    offset: 0.5 * (logBeta + clippedLogPosteriorVariance),
  };
}
