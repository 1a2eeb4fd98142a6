// Classifier-free guidance (Ho & Salimans 2022, eq. 6): eps~(x_t, c) = (1 + w) eps(x_t, c) - w eps(x_t, null);
// w = 0 is the conditional model, w = -1 the unconditional one
export function guidedEps(conditional: number, unconditional: number, w: number): number {
  return (1 + w) * conditional - w * unconditional;
}

// Training with the label dropped: c -> null with probability p_uncond (Ho & Salimans 2022, Algorithm 1, line 3);
// u ~ Uniform[0, 1), the label kept when u >= p_uncond
export function keepsLabel(u: number, pUncond: number): boolean {
  return u >= pUncond;
}
