// Deliberately broken backends for the memory group. The reference kernels behind counted handles, as a device
// backend holds them (a tf.Tensor, a texture): every handle must be disposed, and liveTensorCount counts those
// that were not.

import { cpuArchitectureKernels } from '../../backends/cpu/architecture.js';
import { cpuKernels } from '../../backends/cpu/kernels.js';
import { cpuTrainingKernels } from '../../backends/cpu/training.js';
import type { ArchitectureKernels } from '../../src/contract/architecture-kernels.js';
import type { TensorKernels } from '../../src/contract/kernels.js';
import type { LayerGradients, TrainingKernels } from '../../src/contract/training.js';
import { composeBackend } from '../../src/pipeline/compose.js';
import type { Tensor } from '../../src/tensor.js';
import type { BrokenBackend, CheckName } from './broken.js';

const FORWARD_LEAKS: CheckName = 'memory > forward-process operations leave the live tensor count unchanged';
const TRAINING_LEAKS: CheckName =
  'memory > training operations and trainer steps leave the live tensor count unchanged';
const ARCHITECTURE_LEAKS: CheckName =
  'memory > U-Net, U-Net with attention and DiT forward and backward passes leave the live tensor count unchanged';

/** A device-like handle: the tensor it holds and whether it was disposed. */
interface Handle {
  tensor: Tensor;
}

type Allocate = (t: Tensor) => Handle;

/**
 * Where a broken backend leaks: inside linear (given the coefficients)
 * or inside the dense layer's backward pass (given the weight).
 */
interface Leaks {
  linear?: (allocate: Allocate, coef: Float64Array) => void;
  denseBackward?: (allocate: Allocate, weight: Tensor) => void;
  softmaxBackward?: (allocate: Allocate, y: Tensor) => void;
}

/** cpuArchitectureKernels on counted handles. */
function countedArchitectureKernels(allocate: Allocate, leaks: Leaks): ArchitectureKernels<Handle> {
  const a = cpuArchitectureKernels;
  return {
    reshape: (x, shape) => allocate(a.reshape(x.tensor, shape)),
    transpose: (x, perm) => allocate(a.transpose(x.tensor, perm)),
    batchMatMul: (x, y, tx, ty) => allocate(a.batchMatMul(x.tensor, y.tensor, tx, ty)),
    softmax: (x, scale) => allocate(a.softmax(x.tensor, scale)),
    softmaxBackward(y, dy, scale) {
      leaks.softmaxBackward?.(allocate, y.tensor);
      return allocate(a.softmaxBackward(y.tensor, dy.tensor, scale));
    },
    normalize: (x, rows, eps) => allocate(a.normalize(x.tensor, rows, eps)),
    normalizeBackward: (x, rows, eps, dy) => allocate(a.normalizeBackward(x.tensor, rows, eps, dy.tensor)),
    broadcastTo: (x, shape) => allocate(a.broadcastTo(x.tensor, shape)),
    sumTo: (x, shape) => allocate(a.sumTo(x.tensor, shape)),
    silu: (x) => allocate(a.silu(x.tensor)),
    siluBackward: (x, dy) => allocate(a.siluBackward(x.tensor, dy.tensor)),
    stridedConv2d: (x, w, b, p, st) => allocate(a.stridedConv2d(x.tensor, w.tensor, b.tensor, p, st)),
    stridedConv2dBackward(x, w, dy, p, st) {
      const g = a.stridedConv2dBackward(x.tensor, w.tensor, dy.tensor, p, st);
      return { dx: allocate(g.dx), dWeight: allocate(g.dWeight), dBias: allocate(g.dBias) };
    },
  };
}

/** cpuTrainingKernels on counted handles. */
function countedTrainingKernels(allocate: Allocate, leaks: Leaks): TrainingKernels<Handle> {
  const t = cpuTrainingKernels;
  const gradients = (g: LayerGradients<Tensor>): LayerGradients<Handle> => ({
    dx: allocate(g.dx),
    dWeight: allocate(g.dWeight),
    dBias: allocate(g.dBias),
  });
  return {
    conv2d: (x, w, b, padding) => allocate(t.conv2d(x.tensor, w.tensor, b.tensor, padding)),
    conv2dBackward: (x, w, dy, padding) => gradients(t.conv2dBackward(x.tensor, w.tensor, dy.tensor, padding)),
    dense: (x, w, b) => allocate(t.dense(x.tensor, w.tensor, b.tensor)),
    denseBackward(x, w, dy) {
      leaks.denseBackward?.(allocate, w.tensor);
      return gradients(t.denseBackward(x.tensor, w.tensor, dy.tensor));
    },
    activation: (kind, x) => allocate(t.activation(kind, x.tensor)),
    activationBackward: (kind, x, dy) => allocate(t.activationBackward(kind, x.tensor, dy.tensor)),
    concatChannels: (a, b) => allocate(t.concatChannels(a.tensor, b.tensor)),
    adamUpdate(param, grad, m, v, c) {
      // In place, as the reference: the same handles come back.
      t.adamUpdate(param.tensor, grad.tensor, m.tensor, v.tensor, c);
      return { param, m, v };
    },
    sumOfSquares: (x) => t.sumOfSquares(x.tensor),
    architecture: countedArchitectureKernels(allocate, leaks),
  };
}

/**
 * cpuKernels (and their training kernels) with counted handles;
 * `leaks` says where a handle is allocated and never disposed.
 */
function countedKernels(name: string, leaks: Leaks): TensorKernels<Handle> {
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
      leaks.linear?.(allocate, terms[0].coef);
      return allocate(
        cpuKernels.linear(
          terms.map(({ x, coef }) => ({ x: x.tensor, coef })),
          bias,
        ),
      );
    },
    fill: (shape, values) => allocate(cpuKernels.fill(shape, values)),
    clip: (x, lo, hi) => allocate(cpuKernels.clip(x.tensor, lo, hi)),
    exp: (x, scale) => allocate(cpuKernels.exp(x.tensor, scale)),
    multiply: (a, b) => allocate(cpuKernels.multiply(a.tensor, b.tensor)),
    splitChannels: (x, c) => cpuKernels.splitChannels(x.tensor, c).map(allocate) as [Handle, Handle],
    meanSquaredErrorPerSample: (a, b) => cpuKernels.meanSquaredErrorPerSample(a.tensor, b.tensor),
    sinusoidalEmbedding: (t, f, dim) => allocate(cpuKernels.sinusoidalEmbedding(t, f, dim)),
    training: countedTrainingKernels(allocate, leaks),
  };
}

export const brokenMemory: BrokenBackend[] = [
  {
    id: 'leaked-coefficient-tensor',
    bug: 'linear uploads its per-batch coefficients as a device tensor and never disposes it (an op outside tf.tidy)',
    caughtBy: FORWARD_LEAKS,
    backend: composeBackend(
      countedKernels('broken:leaked-coefficient-tensor', {
        linear: (allocate, coef) => allocate({ shape: [coef.length], data: coef }),
      }),
    ),
  },
  {
    id: 'leaked-transposed-weight',
    bug: "the dense layer's backward pass transposes its weight into a new device tensor and never disposes it (a tf.transpose outside tf.tidy)",
    caughtBy: TRAINING_LEAKS,
    backend: composeBackend(
      countedKernels('broken:leaked-transposed-weight', { denseBackward: (allocate, weight) => allocate(weight) }),
    ),
  },
  {
    id: 'leaked-softmax-row-sums',
    bug: "the attention softmax's backward pass keeps its row sums in a device tensor it never disposes",
    caughtBy: ARCHITECTURE_LEAKS,
    backend: composeBackend(
      countedKernels('broken:leaked-softmax-row-sums', { softmaxBackward: (allocate, y) => allocate(y) }),
    ),
  },
];
