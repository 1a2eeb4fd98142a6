// alpha-bar(u) = cos^2(((u + s) / (1 + s)) * pi / 2), u = t / T  (Nichol & Dhariwal 2021, eq. 17)
export function cosineAlphaBar(u: number, s: number): number {
  const c = Math.cos(((u + s) / (1 + s)) * (Math.PI / 2));
  return c * c;
}

// beta_t = min(1 - alpha-bar(t/T) / alpha-bar((t-1)/T), maxBeta)  (Nichol & Dhariwal 2021, sec. 3.2; clipped to avoid beta = 1 at t = T)
export function cosineBetas(T: number, s: number, maxBeta: number): Float64Array {
  const betas = new Float64Array(T);
  for (let t = 1; t <= T; t++) {
    betas[t - 1] = Math.min(1 - cosineAlphaBar(t / T, s) / cosineAlphaBar((t - 1) / T, s), maxBeta);
  }
  return betas;
}
