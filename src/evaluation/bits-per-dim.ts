import type { DenoiserModel, DiffusionBackend, ReverseOptions } from '../contract/backend.js';
import { discretizedGaussianLogLikelihood, normalKl } from '../equations/likelihood.js';
import { gaussianTensor } from '../random/gaussian.js';
import type { ScheduleTables } from '../schedule/tables.js';
import type { Tensor } from '../tensor.js';

export interface BitsPerDim {
  /** Per image: the whole bound, prior + sum of the terms. */
  total: Float64Array;
  /** Per image: KL(q(x_T | x_0) || N(0, I)). */
  prior: Float64Array;
  /** Batch mean of each term, t = 1 (the decoder's NLL) .. T (the KLs). */
  terms: Float64Array;
}

/**
 * The variational bound -log p(x_0) <= L_T + sum_{t > 1} L_{t-1} + L_0 in bits per dimension, as improved-diffusion's
 * calc_bpd_loop computes it (Ho et al. 2020, eq. 5; Nichol & Dhariwal 2021, sec. 2.1): L_{t-1} = KL(q(x_{t-1} | x_t,
 * x_0) || p(x_{t-1} | x_t)) on x_t = q_sample(x_0, eps_t), eps_t from (seed, stream t); L_0 = -log of the discretised
 * Gaussian decoder at t = 1; L_T = KL(q(x_T | x_0) || N(0, I)); each averaged over the dimensions and divided by ln 2.
 * x_0 must lie on the 256 levels -1 + 2k/255.
 */
export async function bitsPerDim(
  backend: DiffusionBackend,
  model: DenoiserModel,
  schedule: ScheduleTables,
  x0: Tensor,
  seed: number,
  options: ReverseOptions = {},
): Promise<BitsPerDim> {
  const n = x0.shape[0];
  const m = x0.data.length / n;
  const perImage = (values: (i: number) => number) =>
    Float64Array.from({ length: n }, (_, b) => {
      let s = 0;
      for (let i = b * m; i < (b + 1) * m; i++) s += values(i);
      return s / m / Math.LN2;
    });
  const total = new Float64Array(n);
  const terms = new Float64Array(schedule.T + 1);
  for (let t = 1; t <= schedule.T; t++) {
    const ts = new Int32Array(n).fill(t);
    const xt = await backend.qSample({ schedule, x0, noise: gaussianTensor(x0.shape, seed, t), t: ts });
    const p = await backend.pMeanVariance({ schedule, xt, t: ts, modelOutput: await model(xt, ts), options });
    let term: Float64Array;
    if (t === 1) {
      term = perImage(
        (i) => -discretizedGaussianLogLikelihood(x0.data[i], p.mean.data[i], 0.5 * p.logVariance.data[i]),
      );
    } else {
      const q = await backend.qPosterior({ schedule, x0, xt, t: ts });
      term = perImage((i) =>
        normalKl(q.mean.data[i], q.logVarianceClipped.data[i], p.mean.data[i], p.logVariance.data[i]),
      );
    }
    term.forEach((v, b) => (total[b] += v));
    terms[t] = term.reduce((a, b) => a + b, 0) / n;
  }
  const signal = Math.sqrt(schedule.alphaBar[schedule.T]);
  const logVariance = Math.log(schedule.oneMinusAlphaBar[schedule.T]);
  const prior = perImage((i) => normalKl(signal * x0.data[i], logVariance, 0, 0));
  prior.forEach((v, b) => (total[b] += v));
  return { total, prior, terms: terms.subarray(1) };
}
