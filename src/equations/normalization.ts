/** The mean of a row and 1 / sqrt(var + eps), var its biased variance (what GroupNorm and LayerNorm divide by). */
function rowStatistics(x: ArrayLike<number>, offset: number, length: number, epsilon: number) {
  let mean = 0;
  for (let i = 0; i < length; i++) mean += x[offset + i];
  mean /= length;
  let variance = 0;
  for (let i = 0; i < length; i++) variance += (x[offset + i] - mean) ** 2;
  return { mean, inverseDeviation: 1 / Math.sqrt(variance / length + epsilon) };
}

// y_i = (x_i - mu) / sqrt(sigma^2 + eps), mu and sigma^2 the mean and biased variance of the row: the core of
// LayerNorm (Ba et al. 2016, eq. 4) and GroupNorm (Wu & He 2018, eq. 1-2), before their affine gamma y + beta
export function normalizeRow(
  x: ArrayLike<number>,
  offset: number,
  length: number,
  epsilon: number,
  out: Float64Array,
): void {
  const { mean, inverseDeviation } = rowStatistics(x, offset, length, epsilon);
  for (let i = 0; i < length; i++) out[offset + i] = (x[offset + i] - mean) * inverseDeviation;
}

// dx_i = (dy_i - mean(dy) - y_i mean(dy y)) / sqrt(sigma^2 + eps): the backward of normalizeRow (Ioffe & Szegedy
// 2015, sec. 3, the batch-norm gradient taken over the row instead of the batch)
export function normalizeRowBackward(
  x: ArrayLike<number>,
  dy: ArrayLike<number>,
  offset: number,
  length: number,
  epsilon: number,
  out: Float64Array,
): void {
  const { mean, inverseDeviation } = rowStatistics(x, offset, length, epsilon);
  let meanDy = 0;
  let meanDyY = 0;
  for (let i = 0; i < length; i++) {
    meanDy += dy[offset + i];
    meanDyY += dy[offset + i] * (x[offset + i] - mean) * inverseDeviation;
  }
  meanDy /= length;
  meanDyY /= length;
  for (let i = 0; i < length; i++) {
    const y = (x[offset + i] - mean) * inverseDeviation;
    out[offset + i] = (dy[offset + i] - meanDy - y * meanDyY) * inverseDeviation;
  }
}
