// The backend's own Gaussian noise.
//   eps ~ N(0, I): iid standard normal entries, independent across the batch   (Ho et al. 2020, Algorithms 1 and 2)
import { defineGroup } from '../../src/speckit/check.js';
import { ksNormalTest, meanZeroTest, unitVarianceTest, zeroCorrelationTest } from '../../src/stats/tests.js';
import { sameShape } from '../../src/tensor.js';

const BATCH = 8;
const ITEM = 4000;
const TESTS = 5;
const FALSE_ALARM = 1e-4;

export const noiseGroup = defineGroup('noise', "The backend's own Gaussian noise", [
  {
    name: 'randomNormal is reproducible from (seed, stream) and streams differ',
    kind: 'exact',
    equation: 'z(seed, stream) is a function of its arguments; z(seed, 1) != z(seed, 2)',
    source: 'counter-based generation (Salmon et al. 2011)',
    requires: ['random'],
    async run(backend, ctx) {
      const shape = [2, 3, 4, 4];
      const seed = ctx.subSeed(0);
      const a = await backend.randomNormal({ shape, seed, stream: 1 });
      const b = await backend.randomNormal({ shape, seed, stream: 1 });
      const c = await backend.randomNormal({ shape, seed, stream: 2 });
      ctx.expectShape('z', a, shape);
      if (!sameShape(a.shape, b.shape) || a.data.some((v, i) => v !== b.data[i])) ctx.fail('two draws with the same seed and stream differ');
      if (a.data.every((v, i) => v === c.data[i])) ctx.fail('streams 1 and 2 gave identical noise');
    },
  },
  {
    name: 'randomNormal draws iid N(0, 1), independent across the batch',
    kind: 'statistical',
    equation: 'z_i ~ iid N(0, 1): mean 0, variance 1, CDF Phi, no correlation between batch items or neighbours',
    source: 'Ho et al. 2020, Algorithm 1 (eps ~ N(0, I))',
    requires: ['random'],
    falseAlarm: FALSE_ALARM,
    async run(backend, ctx) {
      const alpha = FALSE_ALARM / TESTS;
      const z = await backend.randomNormal({ shape: [BATCH, ITEM], seed: ctx.subSeed(1), stream: 7 });
      ctx.expectShape('z', z, [BATCH, ITEM]);
      const d = z.data;
      ctx.statistic(meanZeroTest(d, alpha));
      ctx.statistic(unitVarianceTest(d, alpha));
      ctx.statistic(ksNormalTest(d, alpha));
      ctx.statistic({ ...zeroCorrelationTest(d.subarray(0, (BATCH - 1) * ITEM), d.subarray(ITEM), alpha), test: 'neighbouring batch items uncorrelated' });
      ctx.statistic({ ...zeroCorrelationTest(d.subarray(0, d.length - 1), d.subarray(1), alpha), test: 'neighbouring elements uncorrelated' });
    },
  },
]);
