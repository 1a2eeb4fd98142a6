// Sinusoidal timestep embedding specs.
//   f_j = exp(-ln(P) j / floor(d/2)), embedding(t) = [cos(t f_0..) | sin(t f_0..)], a zero column for odd d
//   (Vaswani et al. 2017, sec. 3.5; improved-diffusion timestep_embedding)
import fc from 'fast-check';
import { defineGroup } from '../../src/speckit/check.js';
import { embeddingScale, roundingsFor } from '../../src/speckit/tolerance.js';

export const embeddingGroup = defineGroup('embedding', 'Sinusoidal timestep embedding', [
  {
    name: 'embedding is [cos(t f_j) | sin(t f_j)] with f_j = exp(-ln(P) j / floor(d/2)) and a zero column for odd d',
    reads: ['timestepEmbedding.embedding'],
    kind: 'property',
    equation: 'E[n, j] = cos(t_n f_j), E[n, h + j] = sin(t_n f_j), h = floor(d/2), E[n, d - 1] = 0 for odd d',
    source: 'Vaswani et al. 2017, sec. 3.5; improved-diffusion timestep_embedding',
    requires: ['embedding'],
    async run(backend, ctx) {
      const arbitrary = fc.record({
        t: fc.array(fc.oneof(fc.integer({ min: 0, max: 1000 }), fc.double({ min: -2000, max: 2000, noNaN: true })), {
          minLength: 1,
          maxLength: 6,
        }),
        dim: fc.integer({ min: 1, max: 40 }),
        maxPeriod: fc.oneof(fc.constant(10000), fc.double({ min: 1.5, max: 1e5, noNaN: true })),
      });
      await fc.assert(
        fc.asyncProperty(arbitrary, async ({ t, dim, maxPeriod }) => {
          const r = await backend.timestepEmbedding({ t, dim, maxPeriod });
          const h = Math.floor(dim / 2);
          const expected = new Float64Array(t.length * dim);
          const scale = new Float64Array(t.length * dim);
          t.forEach((tn, n) => {
            for (let j = 0; j < h; j++) {
              const argument = tn * Math.exp((-Math.log(maxPeriod) * j) / h);
              expected[n * dim + j] = Math.cos(argument);
              expected[n * dim + h + j] = Math.sin(argument);
              scale[n * dim + j] = scale[n * dim + h + j] = embeddingScale(argument);
            }
          });
          ctx.expectClose({
            what: `embedding (dim ${dim})`,
            actual: r,
            expected,
            scale,
            roundings: roundingsFor('timestepEmbedding', backend.precision),
            shape: [t.length, dim],
          });
          if (dim % 2 === 1 && t.some((_, n) => r.data[n * dim + dim - 1] !== 0))
            ctx.fail('the padding column of an odd-width embedding must be exactly 0');
        }),
        ctx.fastCheck(60),
      );
    },
  },
]);
