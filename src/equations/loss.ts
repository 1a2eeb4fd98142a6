// L_simple = E_{t, x_0, eps} || eps - eps_theta(sqrt(alpha-bar_t) x_0 + sqrt(1 - alpha-bar_t) eps, t) ||^2  (Ho et
// al. 2020, eq. 14); per sample the mean over C, H, W of the squared error, and the loss the mean over the batch.
export function meanSquaredError(a: ArrayLike<number>, b: ArrayLike<number>, offset: number, count: number): number {
  let sum = 0;
  for (let i = offset; i < offset + count; i++) {
    const d = a[i] - b[i];
    sum += d * d;
  }
  return sum / count;
}

// dL_simple / d eps_theta[n, i] = 2 (eps_theta[n, i] - eps[n, i]) / (N
// M): the derivative of the batch mean of per-sample means of M squares.
export function lossSimpleGradientScale(batch: number, itemSize: number): number {
  return 2 / (batch * itemSize);
}
