import type { ScaledTerm, TensorKernels } from '../../src/contract/kernels.js';
import { meanSquaredError } from '../../src/equations/loss.js';
import { itemSize, sizeOf, type Tensor } from '../../src/tensor.js';
import { cpuTrainingKernels } from './training.js';

/** Float64 tensor kernels on plain typed arrays: the reference every other backend is compared with. */
export const cpuKernels: TensorKernels<Tensor, true> = {
  name: 'cpu',
  precision: 'float64',
  metadata: { engine: 'typescript', dtype: 'float64' },
  training: cpuTrainingKernels,

  upload: (t) => (t.data instanceof Float64Array ? t : { shape: t.shape, data: Float64Array.from(t.data) }),
  download: (h) => h,
  dispose: () => {},

  linear(terms: readonly ScaledTerm<Tensor>[], bias?: Float64Array): Tensor {
    const shape = terms[0]?.x.shape;
    if (!shape) throw new Error('linear needs at least one term');
    const out = new Float64Array(sizeOf(shape));
    const m = itemSize(terms[0].x);
    for (let n = 0; n < shape[0]; n++) {
      const start = n * m;
      const end = start + m;
      // The first term (and the bias) writes, later terms accumulate: one pass per term, no closures in the loop.
      const b = bias ? bias[n] : 0;
      const c0 = terms[0].coef[n];
      const x0 = terms[0].x.data;
      for (let i = start; i < end; i++) out[i] = b + c0 * x0[i];
      for (let k = 1; k < terms.length; k++) {
        const c = terms[k].coef[n];
        const xs = terms[k].x.data;
        for (let i = start; i < end; i++) out[i] += c * xs[i];
      }
    }
    return { shape, data: out };
  },

  fill(shape, values) {
    const out = new Float64Array(sizeOf(shape));
    const m = sizeOf(shape.slice(1));
    for (let n = 0; n < shape[0]; n++) out.fill(values[n], n * m, (n + 1) * m);
    return { shape, data: out };
  },

  clip: (x, lo, hi) => ({ shape: x.shape, data: Float64Array.from(x.data, (v) => Math.min(Math.max(v, lo), hi)) }),
  exp: (x, scale) => ({ shape: x.shape, data: Float64Array.from(x.data, (v) => Math.exp(scale * v)) }),
  multiply: (a, b) => ({ shape: a.shape, data: Float64Array.from(a.data, (v, i) => v * b.data[i]) }),

  splitChannels(x, c) {
    const [n, total] = x.shape;
    const inner = sizeOf(x.shape.slice(2));
    const rest = x.shape.slice(2);
    const first = new Float64Array(n * c * inner);
    const second = new Float64Array(n * (total - c) * inner);
    for (let b = 0; b < n; b++) {
      first.set(x.data.subarray(b * total * inner, (b * total + c) * inner), b * c * inner);
      second.set(x.data.subarray((b * total + c) * inner, (b + 1) * total * inner), b * (total - c) * inner);
    }
    return [
      { shape: [n, c, ...rest], data: first },
      { shape: [n, total - c, ...rest], data: second },
    ];
  },

  meanSquaredErrorPerSample(a, b) {
    const m = itemSize(a);
    return Float64Array.from({ length: a.shape[0] }, (_, n) => meanSquaredError(a.data, b.data, n * m, m));
  },

  sinusoidalEmbedding(t, frequencies, dim) {
    const half = frequencies.length;
    const out = new Float64Array(t.length * dim);
    for (let n = 0; n < t.length; n++) {
      for (let j = 0; j < half; j++) {
        out[n * dim + j] = Math.cos(t[n] * frequencies[j]);
        out[n * dim + half + j] = Math.sin(t[n] * frequencies[j]);
      }
    }
    return { shape: [t.length, dim], data: out };
  },
};
