// theta_ema <- d_k theta_ema + (1 - d_k) theta, d_k = min(decay, (1 + k) / (10 + k)) at step k  (Polyak averaging as in
// Ho et al. 2020, appendix B, decay 0.9999; the warm-up d_k is TensorFlow's ExponentialMovingAverage with num_updates,
// so that early averages do not stay pinned to the initialisation)
export function emaCoefficients(decay: number, step: number): { ema: number; param: number } {
  const d = Math.min(decay, (1 + step) / (10 + step));
  return { ema: d, param: 1 - d };
}
