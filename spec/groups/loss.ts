// L_simple specs.
//   L_simple = E || eps - eps_theta(x_t, t) ||^2 (Ho et al. 2020, eq. 14): per sample the mean over C, H, W of the
//   squared error; the loss is the mean over the batch.
import fc from 'fast-check';
import { defineGroup } from '../../src/speckit/check.js';
import { meanSquaredErrorRoundings, meanSquaredErrorScale } from '../../src/speckit/tolerance.js';
import { batchCaseArbitrary } from '../arbitraries/case.js';

export const lossGroup = defineGroup('loss', 'The simplified training objective L_simple', [
  {
    name: 'L_simple is the per-sample mean squared error and the loss its batch mean',
    kind: 'property',
    equation: 'perSample[n] = mean_{c,h,w} (eps - eps_theta)^2, loss = mean_n perSample[n]',
    source: 'Ho et al. 2020, eq. 14',
    requires: ['loss'],
    reads: ['lossSimple.perSample', 'lossSimple.loss'],
    async run(backend, ctx) {
      await fc.assert(
        fc.asyncProperty(batchCaseArbitrary(3), async ({ schedule, shape, t, tensors: [x0, noise, out] }) => {
          const n = shape[0];
          const m = noise.data.length / n;
          const r = await backend.lossSimple({
            schedule: await backend.schedule(schedule),
            x0,
            noise,
            t,
            modelOutput: out,
          });
          const perSample = Array.from({ length: n }, (_, b) => {
            let sum = 0;
            for (let i = b * m; i < (b + 1) * m; i++) sum += (noise.data[i] - out.data[i]) ** 2;
            return sum / m;
          });
          const k = meanSquaredErrorRoundings(m);
          const scale = meanSquaredErrorScale(noise.data, out.data, n);
          ctx.expectClose({
            what: 'per-sample loss',
            actual: r.perSample,
            expected: perSample,
            scale,
            roundings: k,
            shape: [n],
          });
          const loss = perSample.reduce((a, b) => a + b, 0) / n;
          if (typeof r.loss !== 'number') ctx.fail(`loss must be a number, got ${typeof r.loss}`);
          const lossScale = scale.reduce((a, b) => a + b, 0) / n;
          ctx.expectClose({
            what: 'loss',
            actual: { shape: [1], data: Float64Array.of(r.loss) },
            expected: [loss],
            scale: [lossScale],
            roundings: k + n + 1,
            shape: [1],
          });
        }),
        ctx.fastCheck(60),
      );
    },
  },
  {
    name: 'a perfect noise prediction has zero loss',
    kind: 'property',
    equation: 'eps_theta = eps => L_simple = 0',
    source: 'Ho et al. 2020, eq. 14',
    requires: ['loss'],
    reads: ['lossSimple.perSample', 'lossSimple.loss'],
    async run(backend, ctx) {
      await fc.assert(
        fc.asyncProperty(batchCaseArbitrary(2), async ({ schedule, shape, t, tensors: [x0, noise] }) => {
          const r = await backend.lossSimple({
            schedule: await backend.schedule(schedule),
            x0,
            noise,
            t,
            modelOutput: noise,
          });
          ctx.expectShape('per-sample loss', r.perSample, [shape[0]]);
          if (r.loss !== 0 || r.perSample.data.some((v) => v !== 0))
            ctx.fail(
              `loss of a perfect prediction is ${r.loss} (per sample ${Array.from(r.perSample.data)}), expected exactly 0`,
            );
        }),
        ctx.fastCheck(30),
      );
    },
  },
]);
