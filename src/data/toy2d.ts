import { DiffspecInputError } from '../errors.js';
import { gaussianValues } from '../random/gaussian.js';
import { uniformValues } from '../random/uniform.js';
import type { Tensor } from '../tensor.js';

/** The built-in 2-D data sets, each scaled to about unit variance per coordinate. */
export const TOY_DATASETS = ['two-moons', 'swiss-roll', 'gaussian-mixture'] as const;
const NOISE = 0.05;

/**
 * n points of a toy set, reproducible from the seed (uniforms from stream 0, Gaussian jitter from stream 1):
 * two-moons: two interleaved half circles (as scikit-learn's make_moons) with N(0, 0.05^2) jitter;
 * swiss-roll: the 2-D spiral (r = theta, theta in [1.5 pi, 4.5 pi]) with jitter; gaussian-mixture:
 * 8 equal Gaussians (sd 0.05) on a circle of radius 1.4.
 */
export function toyDataset(name: string, n: number, seed: number): Tensor {
  const u = uniformValues(seed, 0, 2 * n);
  const z = gaussianValues(seed, 1, 2 * n);
  const data = new Float64Array(2 * n);
  for (let i = 0; i < n; i++) {
    let x: number;
    let y: number;
    if (name === 'two-moons') {
      const angle = Math.PI * u[2 * i];
      const upper = u[2 * i + 1] < 0.5;
      x = upper ? Math.cos(angle) : 1 - Math.cos(angle);
      y = upper ? Math.sin(angle) : 0.5 - Math.sin(angle);
      x = (x - 0.5) / 0.87 + (NOISE * z[2 * i]) / 0.87;
      y = (y - 0.25) / 0.5 + (NOISE * z[2 * i + 1]) / 0.5;
    } else if (name === 'swiss-roll') {
      const theta = 1.5 * Math.PI * (1 + 2 * u[2 * i]);
      x = (theta * Math.cos(theta)) / 7 + NOISE * z[2 * i];
      y = (theta * Math.sin(theta)) / 7 + NOISE * z[2 * i + 1];
    } else if (name === 'gaussian-mixture') {
      const angle = (2 * Math.PI * Math.floor(8 * u[2 * i])) / 8;
      x = 1.4 * Math.cos(angle) + NOISE * z[2 * i];
      y = 1.4 * Math.sin(angle) + NOISE * z[2 * i + 1];
    } else {
      throw new DiffspecInputError(
        'data',
        `unknown toy data set ${JSON.stringify(name)} (built in: ${TOY_DATASETS.join(', ')}), or give a folder of images`,
      );
    }
    data[2 * i] = x;
    data[2 * i + 1] = y;
  }
  return { shape: [n, 2], data };
}
