/**
 * A value computed in float64 by the spec, with the running magnitude its error bound scales with, and the running
 * count of flush-to-zero errors: a backend may flush each subnormal input or result to zero (an absolute error below
 * the smallest normal number), and later coefficients scale that error like any other.
 */
export interface Expected {
  value: Float64Array;
  scale: Float64Array;
  /** In units of the smallest normal number of the backend's precision. */
  floor: Float64Array;
}

export interface Term {
  /** One coefficient per batch item. */
  coef: ArrayLike<number>;
  x: ArrayLike<number> | Expected;
}

/**
 * sum_k coef_k[n] x_k[n, i] in float64, with scale = sum_k |coef_k[n]| scale(x_k)[n, i]
 * (Higham's running error bound: the magnitude of every term that was rounded on the way).
 */
export function combine(n: number, terms: readonly Term[], bias?: ArrayLike<number>): Expected {
  const first = terms[0].x;
  const size = 'value' in first ? first.value.length : first.length;
  const m = size / n;
  const value = new Float64Array(size);
  const scale = new Float64Array(size);
  const floor = new Float64Array(size);
  for (let i = 0; i < size; i++) {
    const b = Math.floor(i / m);
    let v = bias ? bias[b] : 0;
    let s = bias ? Math.abs(bias[b]) : 0;
    let f = 1;
    for (const { coef, x } of terms) {
      const expected = 'value' in x;
      v += coef[b] * (expected ? x.value[i] : x[i]);
      s += Math.abs(coef[b]) * (expected ? x.scale[i] : Math.abs(x[i]));
      f += Math.abs(coef[b]) * (expected ? x.floor[i] : 1);
    }
    value[i] = v;
    scale[i] = s;
    floor[i] = f;
  }
  return { value, scale, floor };
}

/** Per-batch values f(t_n). */
export const atT = (t: readonly number[], f: (t: number) => number) => t.map(f);
