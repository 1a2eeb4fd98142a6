import { embeddingFrequencies } from '../equations/embedding.js';
import { requireInput } from '../errors.js';
import { scoped } from '../pipeline/scope.js';
import { roundingsFor } from '../speckit/tolerance.js';
import type { Tensor } from '../tensor.js';
import { defineOperation } from './operation.js';

export interface TimestepEmbeddingArgs {
  t: readonly number[] | Float64Array;
  dim: number;
  maxPeriod?: number;
}

/** The sinusoidal embedding [cos(t f_j), sin(t f_j)], f_j = maxPeriod^(-j / half) (Vaswani et al. 2017, 3.5). */
export const timestepEmbedding = defineOperation<TimestepEmbeddingArgs, Tensor>()({
  method: 'timestepEmbedding',
  caseName: 'timestep_embedding',
  capability: 'embedding',
  fields: { t: 'times', dim: 'integer', maxPeriod: 'optional number' },
  validate({ t, dim, maxPeriod = 10000 }: TimestepEmbeddingArgs) {
    const isArray = Array.isArray(t) || t instanceof Float64Array;
    requireInput(isArray && t.length >= 1, 't', 'must be a non-empty array of numbers');
    const times = Float64Array.from(t as ArrayLike<number>);
    times.forEach((v, i) => {
      requireInput(Number.isFinite(v), `t[${i}]`, `must be a finite number, got ${JSON.stringify(t[i])}`);
    });
    requireInput(Number.isInteger(dim) && dim >= 1, 'dim', `must be an integer >= 1, got ${JSON.stringify(dim)}`);
    const period = typeof maxPeriod === 'number' && Number.isFinite(maxPeriod) && maxPeriod > 0;
    requireInput(period, 'maxPeriod', `must be a finite number > 0, got ${JSON.stringify(maxPeriod)}`);
    return { times, dim, maxPeriod };
  },
  compose: (k, { times, dim, maxPeriod }) =>
    scoped(k, async (track) => {
      const frequencies = embeddingFrequencies(dim, maxPeriod);
      return k.download(track(await k.sinusoidalEmbedding(times, frequencies, dim)));
    }),
  resultIsTensor: true,
  results: ['embedding'],
  compare: {
    label: 'timestepEmbedding (dim 128)',
    roundings: (p) => roundingsFor('timestepEmbedding', p),
    args: (_s, i) => ({ t: i.t, dim: 128 }),
  },
});
