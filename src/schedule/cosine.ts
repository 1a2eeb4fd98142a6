// theta(u) = ((u + s) / (1 + s)) pi / 2, alpha-bar(u) = cos^2 theta(u), u = t / T  (Nichol & Dhariwal 2021, eq. 17)
export function cosineTheta(u: number, s: number): number {
  return ((u + s) / (1 + s)) * (Math.PI / 2);
}

// beta_t = min(1 - cos^2 theta_t / cos^2 theta_{t-1}, maxBeta)  (Nichol & Dhariwal 2021, sec. 3.2), evaluated as
// sin(theta_t + theta_{t-1}) sin(theta_t - theta_{t-1}) / cos^2 theta_{t-1} (cos^2 a - cos^2 b
// = sin(b + a) sin(b - a)), which avoids the cancellation of 1 - ratio when beta_t is small.
export function cosineBetas(T: number, s: number, maxBeta: number): Float64Array {
  const betas = new Float64Array(T);
  const step = Math.PI / 2 / (T * (1 + s));
  for (let t = 1; t <= T; t++) {
    const previous = cosineTheta((t - 1) / T, s);
    const current = cosineTheta(t / T, s);
    const c = Math.cos(previous);
    betas[t - 1] = Math.min((Math.sin(current + previous) * Math.sin(step)) / (c * c), maxBeta);
  }
  return betas;
}
