import { cpuKernels } from '../../backends/cpu/kernels.js';
import { composeBackend } from '../../src/pipeline/compose.js';
import { gaussianValues } from '../../src/random/gaussian.js';
import { normalCdf } from '../../src/stats/normal.js';
import { sizeOf } from '../../src/tensor.js';
import type { BrokenBackend, CheckName } from './broken.js';

const IID_NORMAL: CheckName = 'noise > randomNormal draws iid N(0, 1), independent across the batch';

export const brokenNoise: BrokenBackend[] = [
  {
    id: 'uniform-noise',
    bug: 'noise is uniform on [-sqrt 3, sqrt 3]: mean 0 and variance 1, but not Gaussian',
    caughtBy: IID_NORMAL,
    backend: composeBackend({
      ...cpuKernels,
      name: 'broken:uniform-noise',
      // The shared generator's normals mapped through Phi to uniforms, then scaled to unit variance.
      randomNormal: (shape, seed, stream) => ({
        shape,
        data: gaussianValues(seed, stream, sizeOf(shape)).map((z) => Math.sqrt(3) * (2 * normalCdf(z) - 1)),
      }),
    }),
  },
  {
    id: 'batch-shared-noise',
    bug: 'one noise sample is drawn and broadcast over the batch',
    caughtBy: IID_NORMAL,
    backend: composeBackend({
      ...cpuKernels,
      name: 'broken:batch-shared-noise',
      randomNormal: (shape, seed, stream) => {
        const item = sizeOf(shape.slice(1));
        const one = gaussianValues(seed, stream, item);
        return { shape, data: Float64Array.from({ length: sizeOf(shape) }, (_, i) => one[i % item]) };
      },
    }),
  },
];
