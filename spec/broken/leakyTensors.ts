// A deliberately broken backend for the memory group: the TensorFlow.js backend whose per-batch linear
// combination creates its coefficient tensor outside tf.tidy and never disposes it (the classic tfjs leak:
// an op called outside tidy). Its results are right; only device memory grows with every operation.
import type { Tensor as TfTensor } from '@tensorflow/tfjs';
import type { DiffusionBackend } from '../../src/contract/backend.js';
import type { TensorKernels } from '../../src/contract/kernels.js';
import { composeBackend } from '../../src/pipeline/compose.js';
import { loadEngine } from '../../backends/tfjs/engines.js';
import { tfjsKernels } from '../../backends/tfjs/kernels.js';

export async function leakyTensorsBackend(): Promise<DiffusionBackend> {
  const engine = await loadEngine('cpu');
  const k = tfjsKernels(engine);
  const leaky: TensorKernels<TfTensor> = {
    ...k,
    name: 'broken:leaky-tensors',
    linear(terms, bias) {
      engine.tf.tensor(Float32Array.from(terms[0].coef)); // never disposed
      return k.linear(terms, bias);
    },
  };
  return composeBackend(leaky);
}
