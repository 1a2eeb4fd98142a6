// Deliberately broken backends for the memory group. The reference kernels behind counted handles, as a device
// backend holds them (a tf.Tensor, a texture): every handle must be disposed, and liveTensorCount counts those
// that were not.
import { cpuKernels } from '../../backends/cpu/kernels.js';
import type { TensorKernels } from '../../src/contract/kernels.js';
import { composeBackend } from '../../src/pipeline/compose.js';
import type { Tensor } from '../../src/tensor.js';
import type { BrokenBackend } from './broken.js';

/** A device-like handle: the tensor it holds and whether it was disposed. */
interface Handle {
  tensor: Tensor;
}

/** cpuKernels with counted handles; `leak` is called inside linear with the means to allocate a handle. */
function countedKernels(name: string, leak: (allocate: (t: Tensor) => Handle, coef: Float64Array) => void): TensorKernels<Handle> {
  const live = new Set<Handle>();
  const allocate = (tensor: Tensor): Handle => {
    const h = { tensor };
    live.add(h);
    return h;
  };
  return {
    name,
    precision: 'float64',
    liveTensorCount: () => live.size,
    upload: (t) => allocate(cpuKernels.upload(t)),
    download: (h) => h.tensor,
    dispose: (h) => void live.delete(h),
    linear(terms, bias) {
      leak(allocate, terms[0].coef);
      return allocate(cpuKernels.linear(terms.map(({ x, coef }) => ({ x: x.tensor, coef })), bias));
    },
    fill: (shape, values) => allocate(cpuKernels.fill(shape, values)),
    clip: (x, lo, hi) => allocate(cpuKernels.clip(x.tensor, lo, hi)),
    exp: (x, scale) => allocate(cpuKernels.exp(x.tensor, scale)),
    multiply: (a, b) => allocate(cpuKernels.multiply(a.tensor, b.tensor)),
    splitChannels: (x, c) => cpuKernels.splitChannels(x.tensor, c).map(allocate) as [Handle, Handle],
    meanSquaredErrorPerSample: (a, b) => cpuKernels.meanSquaredErrorPerSample(a.tensor, b.tensor),
    sinusoidalEmbedding: (t, f, dim) => allocate(cpuKernels.sinusoidalEmbedding(t, f, dim)),
  };
}

export const brokenMemory: BrokenBackend[] = [
  {
    id: 'leaked-coefficient-tensor',
    bug: 'linear uploads its per-batch coefficients as a device tensor and never disposes it (an op outside tf.tidy)',
    caughtBy: 'memory',
    backend: composeBackend(countedKernels('broken:leaked-coefficient-tensor', (allocate, coef) => allocate({ shape: [coef.length], data: coef }))),
  },
];
