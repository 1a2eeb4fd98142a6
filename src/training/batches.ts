import { uniformValues } from '../random/uniform.js';
import { itemSize, type Tensor } from '../tensor.js';

/**
 * The minibatch of training step k: `batch` items of `data` drawn uniformly with replacement, from uniforms
 * (seed, stream 2k + 1): the trainer's timesteps use (seed, 2k) and its Gaussian noise another generator.
 */
export function sampleBatch(data: Tensor, batch: number, seed: number, step: number): Tensor {
  const m = itemSize(data);
  const out = new Float64Array(batch * m);
  batchIndices(data.shape[0], batch, seed, step).forEach((j, i) =>
    out.set(data.data.subarray(j * m, (j + 1) * m), i * m),
  );
  return { shape: [batch, ...data.shape.slice(1)], data: out };
}

/** The labels of the items sampleBatch draws at the same step. */
export function sampleLabels(labels: Int32Array, batch: number, seed: number, step: number): Int32Array {
  return Int32Array.from(batchIndices(labels.length, batch, seed, step), (j) => labels[j]);
}

/** The indices of step k's minibatch among n items. */
function batchIndices(n: number, batch: number, seed: number, step: number): number[] {
  return Array.from(uniformValues(seed, 2 * step + 1, batch), (u) => Math.min(n - 1, Math.floor(u * n)));
}
