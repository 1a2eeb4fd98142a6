// Fixed 2-D sine-cosine position embedding of the token at row i, column j of a grid, width D (D divisible by 4):
// [sin(j w_k) | cos(j w_k) | sin(i w_k) | cos(i w_k)], w_k = 10000^(-k / (D/4)), k = 0..D/4-1
// (Vaswani et al. 2017, sec. 3.5, per axis; MAE's and DiT's get_2d_sincos_pos_embed)
export function positionEmbedding2d(rows: number, columns: number, width: number): Float64Array {
  const quarter = width / 4;
  const out = new Float64Array(rows * columns * width);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < columns; j++) {
      const o = (i * columns + j) * width;
      for (let k = 0; k < quarter; k++) {
        const w = 10000 ** (-k / quarter);
        out[o + k] = Math.sin(j * w);
        out[o + quarter + k] = Math.cos(j * w);
        out[o + 2 * quarter + k] = Math.sin(i * w);
        out[o + 3 * quarter + k] = Math.cos(i * w);
      }
    }
  }
  return out;
}
