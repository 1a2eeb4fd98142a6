/** P(X <= k) for X ~ Binomial(n, p), summed term by term (exact for the run counts a nightly job makes). */
export function binomialCdf(k: number, n: number, p: number): number {
  if (p <= 0) return 1;
  if (p >= 1) return k >= n ? 1 : 0;
  // term_i = C(n, i) p^i (1 - p)^(n - i), in logs so that (1 - p)^n does not underflow for large n.
  let logTerm = n * Math.log1p(-p);
  let sum = 0;
  for (let i = 0; i <= Math.min(k, n); i++) {
    sum += Math.exp(logTerm);
    logTerm += Math.log((n - i) / (i + 1)) + Math.log(p) - Math.log1p(-p);
  }
  return Math.min(1, sum);
}

/**
 * The one-sided Clopper-Pearson upper confidence bound for a proportion seen k times in n trials: the p at which
 * P(X <= k) = 1 - confidence (Clopper and Pearson 1934), found by bisection; 1 when k = n.
 */
export function clopperPearsonUpper(k: number, n: number, confidence = 0.95): number {
  if (k >= n) return 1;
  let lo = k / n;
  let hi = 1;
  for (let i = 0; i < 100; i++) {
    const mid = (lo + hi) / 2;
    if (binomialCdf(k, n, mid) > 1 - confidence) lo = mid;
    else hi = mid;
  }
  return hi;
}

/** P(X >= k) for X ~ Binomial(n, p): how surprising k failures in n runs are for a check whose rate is p. */
export function binomialTailAtLeast(k: number, n: number, p: number): number {
  return k <= 0 ? 1 : 1 - binomialCdf(k - 1, n, p);
}
