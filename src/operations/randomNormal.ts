import { normalNoise, scoped } from '../pipeline/scope.js';
import { checkShape } from '../pipeline/validate.js';
import { checkSeed } from '../random/gaussian.js';
import type { Tensor } from '../tensor.js';
import { defineOperation } from './operation.js';

export interface RandomNormalArgs {
  shape: readonly number[];
  seed: number;
  stream: number;
}

/** Standard normal noise, stream `stream` of `seed`: the backend's own generator, or the shared one (src/random). */
export const randomNormal = defineOperation<RandomNormalArgs, Tensor>()({
  method: 'randomNormal',
  caseName: { unsupported: 'a backend may draw its own noise, so no output is expected of it value by value' },
  capability: 'random',
  fields: { shape: 'shape', seed: 'integer', stream: 'integer' },
  validate(args: RandomNormalArgs) {
    checkShape(args.shape);
    checkSeed(args.seed);
    return args;
  },
  compose: (k, { shape, seed, stream }) =>
    scoped(k, async (track) => k.download(track(await normalNoise(k, shape, seed, stream)))),
  resultIsTensor: true,
  results: ['noise'],
  compare: { unsupported: 'a backend may draw its own noise; the noise group checks its distribution' },
});
