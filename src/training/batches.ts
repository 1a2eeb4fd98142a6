import { uniformValues } from '../random/uniform.js';
import { itemSize, type Tensor } from '../tensor.js';

/**
 * The minibatch of training step k: `batch` items of `data` drawn uniformly with replacement, from uniforms
 * (seed, stream 2k + 1): the trainer's timesteps use (seed, 2k) and its Gaussian noise another generator.
 */
export function sampleBatch(data: Tensor, batch: number, seed: number, step: number): Tensor {
  const n = data.shape[0];
  const m = itemSize(data);
  const out = new Float64Array(batch * m);
  uniformValues(seed, 2 * step + 1, batch).forEach((u, i) => {
    const j = Math.min(n - 1, Math.floor(u * n));
    out.set(data.data.subarray(j * m, (j + 1) * m), i * m);
  });
  return { shape: [batch, ...data.shape.slice(1)], data: out };
}
