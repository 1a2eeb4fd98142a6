// theta_ema <- decay theta_ema + (1 - decay) theta  (Polyak averaging as in Ho et al. 2020, sec. 4 / appendix B, decay 0.9999)
export function emaCoefficients(decay: number): { ema: number; param: number } {
  return { ema: decay, param: 1 - decay };
}
