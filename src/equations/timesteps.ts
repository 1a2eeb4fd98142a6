// t ~ Uniform({1, ..., T})  (Ho et al. 2020, Algorithm 1, line 3): t = 1 + floor(T u) for u ~ Uniform[0, 1)
export function timestepFromUniform(u: number, T: number): number {
  return 1 + Math.min(T - 1, Math.floor(T * u));
}
