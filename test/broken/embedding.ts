import { cpuKernels } from '../../backends/cpu/kernels.js';
import { composeBackend } from '../../src/pipeline/compose.js';
import type { BrokenBackend, CheckName } from './broken.js';

const EMBEDDING_EQUATION = 'embedding is [cos(t f_j) | sin(t f_j)] with f_j = exp(-ln(P) j / floor(d/2))';
const EMBEDDING: CheckName = `embedding > ${EMBEDDING_EQUATION} and a zero column for odd d`;

export const brokenEmbedding: BrokenBackend[] = [
  {
    id: 'embedding-sin-cos-swapped',
    bug: 'the embedding puts the sines before the cosines',
    caughtBy: EMBEDDING,
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
