// softmax(s x)_j = exp(s x_j - max_k s x_k) / sum_k exp(s x_k - max_k s x_k): the max subtracted so exp never
// overflows (Goodfellow et al. 2016, Deep Learning, sec. 4.1); one row of `length` values at `offset`.
export function softmaxRow(
  x: ArrayLike<number>,
  offset: number,
  length: number,
  scale: number,
  out: Float64Array,
): void {
  let max = -Infinity;
  for (let j = 0; j < length; j++) max = Math.max(max, scale * x[offset + j]);
  let sum = 0;
  for (let j = 0; j < length; j++) sum += out[offset + j] = Math.exp(scale * x[offset + j] - max);
  for (let j = 0; j < length; j++) out[offset + j] /= sum;
}

// d softmax(s x) / dx applied to dy: dx_j = s y_j (dy_j - sum_k dy_k y_k), from the output y (the softmax Jacobian
// s (diag(y) - y y^T))
export function softmaxRowBackward(
  y: ArrayLike<number>,
  dy: ArrayLike<number>,
  offset: number,
  length: number,
  scale: number,
  out: Float64Array,
): void {
  let dot = 0;
  for (let j = 0; j < length; j++) dot += dy[offset + j] * y[offset + j];
  for (let j = 0; j < length; j++) out[offset + j] = scale * y[offset + j] * (dy[offset + j] - dot);
}
