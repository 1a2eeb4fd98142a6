// g <- g min(1, c / ||g||_2), the norm taken over all parameter tensors together (Pascanu et al. 2013, Algorithm 2)
export function clipScale(globalNorm: number, maxNorm: number): number {
  return globalNorm > maxNorm ? maxNorm / globalNorm : 1;
}
