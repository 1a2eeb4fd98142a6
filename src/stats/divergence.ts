/** Squared distance from point i of a to point j of b, rows of length d. */
function squaredDistance(a: Float64Array, i: number, b: Float64Array, j: number, d: number): number {
  let s = 0;
  for (let c = 0; c < d; c++) {
    const e = a[i * d + c] - b[j * d + c];
    s += e * e;
  }
  return s;
}

/**
 * The k-th smallest distance from point i of `from` to the
 * points of `to` (skipping point i itself when `to` is `from`).
 */
function kthNeighbourDistance(
  from: Float64Array,
  i: number,
  to: Float64Array,
  count: number,
  d: number,
  k: number,
  self: boolean,
  nearest: Float64Array,
): number {
  nearest.fill(Infinity);
  for (let j = 0; j < count; j++) {
    if (self && j === i) continue;
    const s = squaredDistance(from, i, to, j, d);
    if (s >= nearest[k - 1]) continue;
    let at = k - 1;
    while (at > 0 && nearest[at - 1] > s) {
      nearest[at] = nearest[at - 1];
      at--;
    }
    nearest[at] = s;
  }
  return Math.sqrt(nearest[k - 1]);
}

/**
 * The k-nearest-neighbour estimate of KL(P || Q) from x ~ P (n points) and y ~ Q (m points) in R^d:
 * D = (d / n) sum_i ln(nu_k(i) / rho_k(i)) + ln(m / (n - 1)), rho_k(i) the distance from x_i to its k-th
 * neighbour among the other x, nu_k(i) to its k-th neighbour among y (Wang, Kulkarni & Verdu 2009, eq. 5).
 * Consistent as n, m grow; brute force, O(n (n + m) d).
 */
export function knnKlDivergence(x: Float64Array, y: Float64Array, d: number, k = 5): number {
  const n = x.length / d;
  const m = y.length / d;
  if (!(Number.isInteger(n) && Number.isInteger(m) && n > k && m >= k))
    throw new RangeError(`knnKlDivergence needs more than k = ${k} points in each set, got ${n} and ${m}`);
  const nearest = new Float64Array(k);
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const rho = kthNeighbourDistance(x, i, x, n, d, k, true, nearest);
    const nu = kthNeighbourDistance(x, i, y, m, d, k, false, nearest);
    sum += Math.log(nu / rho);
  }
  return (d / n) * sum + Math.log(m / (n - 1));
}
