import type { DenoiserModel } from '../contract/backend.js';
import { requireInput } from '../errors.js';
import type { ScheduleTables } from '../schedule/tables.js';
import { normalCdf } from '../stats/normal.js';
import type { Tensor } from '../tensor.js';

/** Data whose every coordinate is drawn independently from sum_k w_k N(mu_k, sd_k^2). */
export interface GaussianMixture {
  weights: readonly number[];
  means: readonly number[];
  sds: readonly number[];
}

function checkMixture(m: GaussianMixture): GaussianMixture {
  requireInput(
    m.weights.length >= 1 && m.weights.length === m.means.length && m.means.length === m.sds.length,
    'mixture',
    'weights, means and sds must have the same non-zero length',
  );
  requireInput(
    Math.abs(m.weights.reduce((a, b) => a + b, 0) - 1) < 1e-12 && m.weights.every((w) => w > 0),
    'mixture.weights',
    'must be positive and sum to 1',
  );
  requireInput(
    m.sds.every((s) => s > 0),
    'mixture.sds',
    'must be positive',
  );
  return m;
}

/** The noised mixture p_t = sum_k w_k N(sqrt(ab_t) mu_k, ab_t sd_k^2 + 1 - ab_t), precomputed for one timestep. */
interface NoisedMixture {
  centres: Float64Array;
  inverseVariances: Float64Array;
  logNormalisers: Float64Array;
  noiseScale: number;
}

function noisedMixture(m: GaussianMixture, alphaBar: number, oneMinusAlphaBar: number): NoisedMixture {
  const variances = m.sds.map((sd) => alphaBar * sd * sd + oneMinusAlphaBar);
  return {
    centres: Float64Array.from(m.means, (mu) => Math.sqrt(alphaBar) * mu),
    inverseVariances: Float64Array.from(variances, (v) => 1 / v),
    logNormalisers: Float64Array.from(m.weights, (w, k) => Math.log(w) - 0.5 * Math.log(variances[k])),
    noiseScale: Math.sqrt(oneMinusAlphaBar),
  };
}

// eps*(x_t, t) = E[eps | x_t] = -sqrt(1 - ab_t) grad log p_t(x_t), p_t = sum_k w_k
// N(sqrt(ab_t) mu_k, ab_t sd_k^2 + 1 - ab_t) (Tweedie's formula; Vincent 2011; Song
// et al. 2021 "Score-based generative modeling", eq. 7): the minimiser of L_simple.
function optimalEpsAt(p: NoisedMixture, x: number): number {
  let maxLog = -Infinity;
  for (let k = 0; k < p.centres.length; k++)
    maxLog = Math.max(maxLog, p.logNormalisers[k] - 0.5 * (x - p.centres[k]) ** 2 * p.inverseVariances[k]);
  let total = 0;
  let score = 0;
  for (let k = 0; k < p.centres.length; k++) {
    const d = x - p.centres[k];
    const r = Math.exp(p.logNormalisers[k] - 0.5 * d * d * p.inverseVariances[k] - maxLog);
    total += r;
    score -= r * d * p.inverseVariances[k];
  }
  return -p.noiseScale * (score / total);
}

/** The optimal eps-predictor of `m` as a model for the sampling loops (float64, elementwise). */
export function optimalDenoiser(m: GaussianMixture, s: ScheduleTables): DenoiserModel {
  checkMixture(m);
  const cache = new Map<number, NoisedMixture>();
  const at = (u: number) =>
    cache.get(u) ?? cache.set(u, noisedMixture(m, s.alphaBar[u], s.oneMinusAlphaBar[u])).get(u)!;
  return (xt: Tensor, t: Int32Array): Tensor => {
    const size = xt.data.length / t.length;
    const out = new Float64Array(xt.data.length);
    for (let n = 0; n < t.length; n++) {
      const p = at(t[n]);
      for (let i = n * size; i < (n + 1) * size; i++) out[i] = optimalEpsAt(p, xt.data[i]);
    }
    return { shape: xt.shape, data: out };
  };
}

// F(x) = sum_k w_k Phi((x - mu_k) / sd_k): the mixture's CDF
export function mixtureCdf(m: GaussianMixture, x: number): number {
  return m.weights.reduce((acc, w, k) => acc + w * normalCdf((x - m.means[k]) / m.sds[k]), 0);
}
