// Float64 matrix products on row-major Float64Arrays, accumulating into C. Every product is computed as
// C += A B^T (rows of A dotted with rows of B, both contiguous) by a 4 x 4 register-blocked kernel: each k
// loads 8 values for 16 multiply-adds. Rows of B are taken in blocks that stay in cache while every row of A
// passes. The other layouts transpose their operands first (O(MK + KN) copies against O(MNK) work).

const ROW_BLOCK = 64;

function dot(A: Float64Array, a: number, B: Float64Array, b: number, K: number): number {
  let s = 0;
  for (let k = 0; k < K; k++) s += A[a + k] * B[b + k];
  return s;
}

/** C[M, N] += A[M, K] B[N, K]^T. */
export function gemmNT(
  M: number,
  N: number,
  K: number,
  A: Float64Array,
  aOff: number,
  B: Float64Array,
  bOff: number,
  C: Float64Array,
  cOff: number,
): void {
  const M4 = M - (M % 4);
  const N4 = N - (N % 4);
  for (let j0 = 0; j0 < N4; j0 += ROW_BLOCK) {
    const j1 = Math.min(N4, j0 + ROW_BLOCK);
    for (let i = 0; i < M4; i += 4) {
      const a0 = aOff + i * K;
      const a1 = a0 + K;
      const a2 = a1 + K;
      const a3 = a2 + K;
      for (let j = j0; j < j1; j += 4) {
        const b0 = bOff + j * K;
        const b1 = b0 + K;
        const b2 = b1 + K;
        const b3 = b2 + K;
        let s00 = 0,
          s01 = 0,
          s02 = 0,
          s03 = 0,
          s10 = 0,
          s11 = 0,
          s12 = 0,
          s13 = 0;
        let s20 = 0,
          s21 = 0,
          s22 = 0,
          s23 = 0,
          s30 = 0,
          s31 = 0,
          s32 = 0,
          s33 = 0;
        for (let k = 0; k < K; k++) {
          const x0 = A[a0 + k];
          const x1 = A[a1 + k];
          const x2 = A[a2 + k];
          const x3 = A[a3 + k];
          const y0 = B[b0 + k];
          const y1 = B[b1 + k];
          const y2 = B[b2 + k];
          const y3 = B[b3 + k];
          s00 += x0 * y0;
          s01 += x0 * y1;
          s02 += x0 * y2;
          s03 += x0 * y3;
          s10 += x1 * y0;
          s11 += x1 * y1;
          s12 += x1 * y2;
          s13 += x1 * y3;
          s20 += x2 * y0;
          s21 += x2 * y1;
          s22 += x2 * y2;
          s23 += x2 * y3;
          s30 += x3 * y0;
          s31 += x3 * y1;
          s32 += x3 * y2;
          s33 += x3 * y3;
        }
        const c0 = cOff + i * N + j;
        const c1 = c0 + N;
        const c2 = c1 + N;
        const c3 = c2 + N;
        C[c0] += s00;
        C[c0 + 1] += s01;
        C[c0 + 2] += s02;
        C[c0 + 3] += s03;
        C[c1] += s10;
        C[c1 + 1] += s11;
        C[c1 + 2] += s12;
        C[c1 + 3] += s13;
        C[c2] += s20;
        C[c2 + 1] += s21;
        C[c2 + 2] += s22;
        C[c2 + 3] += s23;
        C[c3] += s30;
        C[c3 + 1] += s31;
        C[c3 + 2] += s32;
        C[c3 + 3] += s33;
      }
    }
  }
  // The edges: rows of A past M4 against every row of B, and the remaining rows of B against the first M4 rows of A.
  for (let i = M4; i < M; i++)
    for (let j = 0; j < N; j++) C[cOff + i * N + j] += dot(A, aOff + i * K, B, bOff + j * K, K);
  for (let i = 0; i < M4; i++)
    for (let j = N4; j < N; j++) C[cOff + i * N + j] += dot(A, aOff + i * K, B, bOff + j * K, K);
}

/** out[c, r] = x[off + r * cols + c]: the transpose of a rows x cols block. */
export function transpose(
  x: Float64Array,
  off: number,
  rows: number,
  cols: number,
  out = new Float64Array(rows * cols),
): Float64Array {
  for (let r = 0; r < rows; r++) {
    const src = off + r * cols;
    for (let c = 0; c < cols; c++) out[c * rows + r] = x[src + c];
  }
  return out;
}

/** C[M, N] += A[M, K] B[K, N]. */
export function gemmNN(
  M: number,
  N: number,
  K: number,
  A: Float64Array,
  aOff: number,
  B: Float64Array,
  bOff: number,
  C: Float64Array,
  cOff: number,
): void {
  gemmNT(M, N, K, A, aOff, transpose(B, bOff, K, N), 0, C, cOff);
}

/** C[M, N] += A[K, M]^T B[K, N]. */
export function gemmTN(
  M: number,
  N: number,
  K: number,
  A: Float64Array,
  aOff: number,
  B: Float64Array,
  bOff: number,
  C: Float64Array,
  cOff: number,
): void {
  gemmNT(M, N, K, transpose(A, aOff, K, M), 0, transpose(B, bOff, K, N), 0, C, cOff);
}
