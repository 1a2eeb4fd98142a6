// Blocked float64 matrix products on row-major Float64Arrays, accumulating into C (C += ...). Four rows
// of C share each loaded row of B, and columns are blocked so the rows of B in use stay in cache.

const COLUMN_BLOCK = 256;

/** C[M, N] += A[M, K] B[K, N]. */
export function gemmNN(M: number, N: number, K: number, A: Float64Array, aOff: number, B: Float64Array, bOff: number, C: Float64Array, cOff: number): void {
  for (let j0 = 0; j0 < N; j0 += COLUMN_BLOCK) {
    const j1 = Math.min(N, j0 + COLUMN_BLOCK);
    let i = 0;
    for (; i + 4 <= M; i += 4) {
      const c0 = cOff + i * N;
      const c1 = c0 + N;
      const c2 = c1 + N;
      const c3 = c2 + N;
      const a0 = aOff + i * K;
      for (let k = 0; k < K; k++) {
        const x0 = A[a0 + k];
        const x1 = A[a0 + K + k];
        const x2 = A[a0 + 2 * K + k];
        const x3 = A[a0 + 3 * K + k];
        const b = bOff + k * N;
        for (let j = j0; j < j1; j++) {
          const y = B[b + j];
          C[c0 + j] += x0 * y;
          C[c1 + j] += x1 * y;
          C[c2 + j] += x2 * y;
          C[c3 + j] += x3 * y;
        }
      }
    }
    for (; i < M; i++) {
      const c0 = cOff + i * N;
      for (let k = 0; k < K; k++) {
        const x0 = A[aOff + i * K + k];
        const b = bOff + k * N;
        for (let j = j0; j < j1; j++) C[c0 + j] += x0 * B[b + j];
      }
    }
  }
}

/** C[M, N] += A[K, M]^T B[K, N]. */
export function gemmTN(M: number, N: number, K: number, A: Float64Array, aOff: number, B: Float64Array, bOff: number, C: Float64Array, cOff: number): void {
  for (let j0 = 0; j0 < N; j0 += COLUMN_BLOCK) {
    const j1 = Math.min(N, j0 + COLUMN_BLOCK);
    let i = 0;
    for (; i + 4 <= M; i += 4) {
      const c0 = cOff + i * N;
      const c1 = c0 + N;
      const c2 = c1 + N;
      const c3 = c2 + N;
      for (let k = 0; k < K; k++) {
        const a = aOff + k * M + i;
        const x0 = A[a];
        const x1 = A[a + 1];
        const x2 = A[a + 2];
        const x3 = A[a + 3];
        const b = bOff + k * N;
        for (let j = j0; j < j1; j++) {
          const y = B[b + j];
          C[c0 + j] += x0 * y;
          C[c1 + j] += x1 * y;
          C[c2 + j] += x2 * y;
          C[c3 + j] += x3 * y;
        }
      }
    }
    for (; i < M; i++) {
      const c0 = cOff + i * N;
      for (let k = 0; k < K; k++) {
        const x0 = A[aOff + k * M + i];
        const b = bOff + k * N;
        for (let j = j0; j < j1; j++) C[c0 + j] += x0 * B[b + j];
      }
    }
  }
}

/** C[M, N] += A[M, K] B[N, K]^T: dot products of rows, four rows of B per row of A. */
export function gemmNT(M: number, N: number, K: number, A: Float64Array, aOff: number, B: Float64Array, bOff: number, C: Float64Array, cOff: number): void {
  for (let i = 0; i < M; i++) {
    const a = aOff + i * K;
    const c = cOff + i * N;
    let j = 0;
    for (; j + 4 <= N; j += 4) {
      const b0 = bOff + j * K;
      const b1 = b0 + K;
      const b2 = b1 + K;
      const b3 = b2 + K;
      let s0 = 0;
      let s1 = 0;
      let s2 = 0;
      let s3 = 0;
      for (let k = 0; k < K; k++) {
        const x = A[a + k];
        s0 += x * B[b0 + k];
        s1 += x * B[b1 + k];
        s2 += x * B[b2 + k];
        s3 += x * B[b3 + k];
      }
      C[c + j] += s0;
      C[c + j + 1] += s1;
      C[c + j + 2] += s2;
      C[c + j + 3] += s3;
    }
    for (; j < N; j++) {
      const b0 = bOff + j * K;
      let s = 0;
      for (let k = 0; k < K; k++) s += A[a + k] * B[b0 + k];
      C[c + j] += s;
    }
  }
}
