import type { TrainingKernels } from '../../src/contract/training.js';
import { gelu, geluDerivative } from '../../src/equations/activation.js';
import { adamUpdateInPlace } from '../../src/equations/adam.js';
import { sizeOf, type Tensor } from '../../src/tensor.js';
import { cpuArchitectureKernels } from './architecture.js';
import { convolve, convolveBackward } from './convolution.js';
import { gemmNN, gemmNT, gemmTN } from './matmul.js';

const f64 = (t: Tensor) => t.data as Float64Array;

/** Float64 training kernels: convolution through im2col and a blocked matrix product. */
export const cpuTrainingKernels: TrainingKernels<Tensor, true> = {
  conv2d: (x, weight, bias, padding) => convolve(x, weight, bias, padding, 1),
  conv2dBackward: (x, weight, dOut, padding) => convolveBackward(x, weight, dOut, padding, 1),
  architecture: cpuArchitectureKernels,

  dense(x, weight, bias) {
    const [n, inputs] = x.shape;
    const outputs = weight.shape[0];
    const out = new Float64Array(n * outputs);
    for (let i = 0; i < n; i++) out.set(f64(bias), i * outputs);
    gemmNT(n, outputs, inputs, f64(x), 0, f64(weight), 0, out, 0);
    return { shape: [n, outputs], data: out };
  },

  denseBackward(x, weight, dOut) {
    const [n, inputs] = x.shape;
    const outputs = weight.shape[0];
    const dx = new Float64Array(n * inputs);
    const dWeight = new Float64Array(outputs * inputs);
    const dBias = new Float64Array(outputs);
    const dy = f64(dOut);
    gemmNN(n, inputs, outputs, dy, 0, f64(weight), 0, dx, 0);
    gemmTN(outputs, inputs, n, dy, 0, f64(x), 0, dWeight, 0);
    for (let i = 0; i < n; i++) for (let o = 0; o < outputs; o++) dBias[o] += dy[i * outputs + o];
    return {
      dx: { shape: x.shape, data: dx },
      dWeight: { shape: weight.shape, data: dWeight },
      dBias: { shape: [outputs], data: dBias },
    };
  },

  activation(kind, x) {
    const v = f64(x);
    const out = new Float64Array(v.length);
    if (kind === 'relu') for (let i = 0; i < v.length; i++) out[i] = Math.max(v[i], 0);
    else for (let i = 0; i < v.length; i++) out[i] = gelu(v[i]);
    return { shape: x.shape, data: out };
  },

  activationBackward(kind, x, dOut) {
    const v = f64(x);
    const dy = f64(dOut);
    const out = new Float64Array(v.length);
    if (kind === 'relu') for (let i = 0; i < v.length; i++) out[i] = v[i] > 0 ? dy[i] : 0;
    else for (let i = 0; i < v.length; i++) out[i] = geluDerivative(v[i]) * dy[i];
    return { shape: x.shape, data: out };
  },

  concatChannels(a, b) {
    const n = a.shape[0];
    const inner = sizeOf(a.shape.slice(2));
    const ca = a.shape[1] * inner;
    const cb = b.shape[1] * inner;
    const out = new Float64Array(n * (ca + cb));
    for (let i = 0; i < n; i++) {
      out.set(f64(a).subarray(i * ca, (i + 1) * ca), i * (ca + cb));
      out.set(f64(b).subarray(i * cb, (i + 1) * cb), i * (ca + cb) + ca);
    }
    return { shape: [n, a.shape[1] + b.shape[1], ...a.shape.slice(2)], data: out };
  },

  adamUpdate(param, grad, m, v, c) {
    adamUpdateInPlace(f64(param), grad.data, f64(m), f64(v), c);
    return { param, m, v };
  },

  sumOfSquares(x) {
    let s = 0;
    for (const v of x.data) s += v * v;
    return s;
  },
};
