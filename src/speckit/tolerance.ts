import type { Precision } from '../contract/backend.js';

/** Unit roundoff u: the largest relative error of one correctly rounded operation. */
export function unitRoundoff(precision: Precision): number {
  return precision === 'float64' ? 2 ** -53 : 2 ** -24;
}

/**
 * Library exp/log/sin/cos are not correctly rounded: each counts as this many roundings. 1 ulp for V8's
 * float64 fdlibm port; float32 engines (XNNPACK, GLSL) document a few ulp, GLSL ES allowing (3 + 2|x|) ulp for exp.
 */
export const ELEMENTARY_FUNCTION_ROUNDINGS: Record<Precision, number> = { float64: 2, float32: 4 };

/**
 * Roundings per operation, k in the bound |computed - exact| <= k u scale (Higham, "Accuracy and Stability
 * of Numerical Algorithms", 2nd ed., sec. 3.1: gamma_k = k u / (1 - k u) ~ k u), where `scale` is the running
 * sum of the magnitudes of the terms combined (|a||x| + |b||y| + ..., propagated through each step). Counts,
 * per element: computing each coefficient from the float64 tables, rounding it and each input to the backend's
 * precision, one product per term, one addition per term. The spec's own float64 expected value is held to the
 * same k, so the bound applies as k (u_backend + u_float64) scale. Written once here; never loosened to pass.
 */
export const ROUNDINGS = {
  /** x_t = sqrt(1 - beta) x + sqrt(beta) e: 1 - beta, sqrt (x2), casts of coefficient and input, product, sum. */
  forwardStep: 6,
  /** x_t = sqrt(ab) x0 + sqrt(1 - ab) e: as forwardStep. */
  qSample: 6,
  /** mu~ = c1 x0 + c2 xt: each c from 4 operations on the tables, casts, products, sum. */
  posteriorMean: 10,
  /** beta~ and its log: 3 operations on the tables, a cast, plus a log. */
  posteriorVariance: 6,
  /** x0^ = a xt + b out: a = sqrt(1/ab) (2), b = sqrt(1/ab - 1) (3), casts (2), products, sum; clip is exact. */
  predX0: 9,
  /** mu = c1 x0^ + c2 xt on top of x0^. */
  pMean: 14,
  /** sigma^2 from fixed tables or exp(s v + o); the exponential adds elementary-function roundings. */
  pVariance: 6,
  /** x_{t-1} = mu + exp(logvar / 2) z on top of mu. */
  ddpmStep: 20,
  /** x_{t-1} = sqrt(ab') x0^ + sqrt(1 - ab' - sigma^2) eps^ + sigma z, eps^ possibly recomputed from x0^ (3 more). */
  ddimStep: 24,
  /** x_{t+1} = sqrt(ab'') x0^ + sqrt(1 - ab'') eps^. */
  ddimReverseStep: 24,
  /**
   * Embedding: f_j = exp(-ln(P) j / half) (4), t f (1) and the cast of t (1) bound the argument; cos/sin add their own.
   */
  timestepEmbedding: 6,
} as const;

export type Operation = keyof typeof ROUNDINGS;

/** A sampling loop's model output, computed in float64 and cast to the backend's precision: one rounding per step. */
export const MODEL_OUTPUT_ROUNDINGS = 1;

/** Roundings of a loop of `steps` steps: each adds its own on top of the running magnitude (Higham, sec. 3.1). */
export function loopRoundings(steps: number, perStep: number): number {
  return Math.max(1, steps) * perStep;
}

/** Operations that apply exp, log, sin or cos once to each element. */
const USES_ELEMENTARY_FUNCTION: ReadonlySet<Operation> = new Set<Operation>([
  'posteriorVariance',
  'pVariance',
  'ddpmStep',
  'timestepEmbedding',
]);

/**
 * Roundings for a mean of m squared differences (a_i - b_i)^2, with the scale meanSquaredErrorScale: per term,
 * rounding a and b to the backend's precision moves a - b by u (|a| + |b|), so d^2 by 2 |d| u (|a| + |b|) <= 2 u s;
 * the subtraction 2 u d^2 <= 2 u s and the square u d^2 <= u s (s = (|a| + |b|)^2 >= d^2); then the recursive sum
 * of m terms m - 1 and the division 1.
 */
export function meanSquaredErrorRoundings(m: number): number {
  return m + 5;
}

/**
 * The magnitude, per sample, that the error of mean_i (a_i - b_i)^2 scales with: mean_i (|a_i| + |b_i|)^2. Not the
 * mean squared difference itself: where a and b nearly cancel, their roundings do not shrink with a - b.
 */
export function meanSquaredErrorScale(a: ArrayLike<number>, b: ArrayLike<number>, samples: number): Float64Array {
  const m = a.length / samples;
  const scale = new Float64Array(samples);
  for (let i = 0; i < a.length; i++) scale[Math.floor(i / m)] += (Math.abs(a[i]) + Math.abs(b[i])) ** 2 / m;
  return scale;
}

/**
 * Roundings for a dot product of m terms (a convolution's output or filter gradient): |fl(x.y) - x.y|
 * <= gamma_m |x|.|y| for any summation order (Higham, sec. 3.1, eq. 3.5), so k = m with scale |x|.|y|.
 */
export function dotProductRoundings(m: number): number {
  return m;
}

/** The scale of cos and sin of an argument: its rounding error moves them by up to its own size; they add theirs. */
export function embeddingScale(argument: number): number {
  return 1 + Math.abs(argument);
}

/** Roundings of alpha-bar_t = prod_{s<=t} (1 - beta_s): at most T for the running product, plus T for 1 - beta_s. */
export function productRoundings(T: number): number {
  return 2 * T + 2;
}

/** The roundings k for an operation on a backend of the given precision. */
export function roundingsFor(op: Operation, precision: Precision): number {
  return ROUNDINGS[op] + (USES_ELEMENTARY_FUNCTION.has(op) ? ELEMENTARY_FUNCTION_ROUNDINGS[precision] : 0);
}

/** The error bound k (u_backend + u_float64) for unit scale. */
export function relativeBound(roundings: number, precision: Precision): number {
  return roundings * (unitRoundoff(precision) + unitRoundoff('float64'));
}

/**
 * Below the smallest normal number relative bounds fail (float32
 * flushes subnormals to zero): an absolute floor per rounding.
 */
export function absoluteFloor(roundings: number, precision: Precision): number {
  return roundings * (precision === 'float64' ? 2 ** -1022 : 2 ** -126);
}

/** sqrt(u_float64): below this fraction of its scale, a reference value is mostly cancellation. */
const RELATIVE_ERROR_FLOOR = Math.sqrt(2 ** -53);

/**
 * How far a computed tensor is from its float64 reference, against the bound k (u_backend + u_float64) scale + floor.
 */
export interface ErrorMeasure {
  maxAbsError: number;
  /**
   * Only where the reference kept at least half its digits through cancellation (|expected| >= sqrt(u_float64) scale).
   */
  maxRelError: number;
  /** max_i |error_i| / bound_i: above 1 the bound is broken. */
  worstErrorToBound: number;
  /** The element of worstErrorToBound, -1 when every error is 0. */
  worstIndex: number;
  /** The bound at element i. */
  boundAt(i: number): number;
}

/**
 * Elementwise |actual - expected| against k (u_backend + u_float64) scale + floor, where `floors` counts the
 * flush-to-zero errors reaching each element (default 1). A non-finite value of `actual` counts as an infinite error.
 */
export function measureError(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  scale: ArrayLike<number>,
  roundings: number,
  precision: Precision,
  floors?: ArrayLike<number>,
): ErrorMeasure {
  const rel = relativeBound(roundings, precision);
  const floor = absoluteFloor(roundings, precision);
  const boundAt = (i: number) => rel * scale[i] + floor * Math.max(1, floors?.[i] ?? 1);
  let worstErrorToBound = 0;
  let worstIndex = -1;
  let maxAbsError = 0;
  let maxRelError = 0;
  for (let i = 0; i < actual.length; i++) {
    // Anything non-finite counts as an unbounded error: a NaN would make every comparison below false.
    const bound = boundAt(i);
    const finite = Number.isFinite(actual[i]) && Number.isFinite(expected[i]) && Number.isFinite(bound);
    const err = finite ? Math.abs(actual[i] - expected[i]) : Infinity;
    const ratio = finite ? err / bound : Infinity;
    maxAbsError = Math.max(maxAbsError, err);
    // Elsewhere err / |expected| measures the cancellation, not the backend (1e300 at a denormal).
    if (Math.abs(expected[i]) >= RELATIVE_ERROR_FLOOR * scale[i] && expected[i] !== 0) {
      maxRelError = Math.max(maxRelError, err / Math.abs(expected[i]));
    }
    if (ratio > worstErrorToBound) {
      worstErrorToBound = ratio;
      worstIndex = i;
    }
  }
  return { maxAbsError, maxRelError, worstErrorToBound, worstIndex, boundAt };
}

/**
 * Roundings of a network's forward pass, per output element: each layer is a dot product of fanIn terms plus a
 * bias (fanIn + 1 roundings, Higham sec. 3.1), and an elementary function (GELU's tanh, the embedding's sin/cos)
 * adds its own; errors propagate through later layers with the magnitudes the spec tracks, so the counts add.
 */
export function networkRoundings(fanIns: readonly number[], elementaryFunctions: number, precision: Precision): number {
  return (
    fanIns.reduce((k, f) => k + f + 1, 0) +
    elementaryFunctions * ELEMENTARY_FUNCTION_ROUNDINGS[precision] +
    ROUNDINGS.timestepEmbedding
  );
}

/**
 * Gradient checks against central differences (L(w + h v) - L(w - h v)) / 2h computed in float64 by the spec's
 * own model: truncation h^2 |L'''| / 6 plus cancellation about u |L| / h. With h = 1e-5 and losses of order 1 both
 * are near 1e-11, so `relative` = 1e-7 of the gradient's magnitude bounds them with a factor 1e4 to spare; a
 * backend's own rounding in the backward pass adds networkRoundings (u_backend + u_float64) of that magnitude.
 */
export const FINITE_DIFFERENCE = { step: 1e-5, relative: 1e-7 } as const;

/**
 * Roundings of one standardised element (x - mean) / sqrt(var + eps) of a row of m values, relative to
 * (|x| + |mean|) / sqrt(var + eps): the mean's recursive sum (m) and division, the subtraction, the variance's m
 * squares and sum (m + 1, entering through the square root at half weight), the addition of eps, sqrt and division.
 */
export function normalizationRoundings(m: number): number {
  return 2 * m + 8;
}

/**
 * Roundings of softmax(s Q K^T) V per output element relative to max_j |V_j|: each score s q.k has the error of a
 * dot product of d_k terms (d_k + 1, times its magnitude s sum |q_i| |k_i|, the largest of which is `magnitude`);
 * a weight exp(s_j - max) / sum inherits twice the score error (its own and the max's) plus the exponential's, the
 * sum of L terms and the division; the output sums L weighted rows (L + 1).
 */
export function attentionRoundings(dk: number, length: number, magnitude: number, precision: Precision): number {
  return 2 * (dk + 1) * Math.max(1, magnitude) + 2 * length + 4 + ELEMENTARY_FUNCTION_ROUNDINGS[precision];
}
