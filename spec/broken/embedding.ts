import { cpuKernels } from '../../backends/cpu/kernels.js';
import { composeBackend } from '../../src/pipeline/compose.js';
import type { BrokenBackend } from './broken.js';

export const brokenEmbedding: BrokenBackend[] = [
  {
    id: 'embedding-sin-cos-swapped',
    bug: 'the embedding puts the sines before the cosines',
    caughtBy: 'embedding',
    backend: composeBackend({
      ...cpuKernels,
      name: 'broken:embedding-sin-cos-swapped',
      sinusoidalEmbedding(t, frequencies, dim) {
        const e = cpuKernels.sinusoidalEmbedding(t, frequencies, dim);
        const half = frequencies.length;
        const data = Float64Array.from(e.data);
        for (let n = 0; n < t.length; n++) {
          data.copyWithin(n * dim, n * dim + half, n * dim + 2 * half);
          data.set(e.data.subarray(n * dim, n * dim + half), n * dim + half);
        }
        return { shape: e.shape, data };
      },
    }),
  },
];
