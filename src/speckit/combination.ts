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
  const floor = new Float64Array(size).fill(1);
  if (bias) {
    for (let b = 0; b < n; b++) {
      value.fill(bias[b], b * m, (b + 1) * m);
      scale.fill(Math.abs(bias[b]), b * m, (b + 1) * m);
    }
  }
  // One pass per term, adding in the terms' order (the same sums as term by term per element), loops free of branches.
  for (const { coef, x } of terms) {
    for (let b = 0; b < n; b++) {
      const c = coef[b];
      const a = Math.abs(c);
      const end = (b + 1) * m;
      if ('value' in x) {
        const { value: xv, scale: xs, floor: xf } = x;
        for (let i = b * m; i < end; i++) {
          value[i] += c * xv[i];
          scale[i] += a * xs[i];
          floor[i] += a * xf[i];
        }
      } else {
        for (let i = b * m; i < end; i++) {
          value[i] += c * x[i];
          scale[i] += a * Math.abs(x[i]);
          floor[i] += a;
        }
      }
    }
  }
  return { value, scale, floor };
}

/** Per-batch values f(t_n). */
export const atT = (t: readonly number[], f: (t: number) => number) => t.map(f);
