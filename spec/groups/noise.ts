// The backend's own Gaussian noise.
//   eps ~ N(0, I): iid standard normal entries, independent across the batch   (Ho et al. 2020, Algorithms 1 and 2)
//   Independence is more than zero correlation: a pair of independent N(0, 1) values is N(0, I_2), radius and angle
//   independent, and their squares uncorrelated; noise whose neighbours share a uniform passes the correlation test.
//   Seeds are the integers 0..2^53 - 1 (the Philox key [seed mod 2^32, floor(seed / 2^32)], README Conventions).
import type { DiffusionBackend } from '../../src/contract/backend.js';
import { defineGroup } from '../../src/speckit/check.js';
import type { SpecContext } from '../../src/speckit/context.js';
import {
  bivariateNormalTest,
  ksNormalTest,
  meanZeroTest,
  squaresUncorrelatedTest,
  unitVarianceTest,
  zeroCorrelationTest,
} from '../../src/stats/tests.js';
import { sameShape } from '../../src/tensor.js';

const BATCH = 8;
const ITEM = 4000;
const TESTS = 5;
const FALSE_ALARM = 1e-4;
/** Lags within one tensor whose pairs (z_i, z_{i+k}) are tested for independence. */
const LAGS = [1, 2, 3];
/** Within the tensor at each lag, across the batch, across streams: two tests each. */
const INDEPENDENCE_TESTS = 2 * (LAGS.length + 2);
/** What the suite budget (src/speckit/budget.ts) had left: the statistical checks now spend 9.9e-4 of 1e-3. */
const INDEPENDENCE_FALSE_ALARM = 8e-5;

/** Non-overlapping pairs (x_i, x_{i+k}): i runs over the first half of each block of 2k, each value used once. */
function lagPairs(x: ArrayLike<number>, k: number): [Float64Array, Float64Array] {
  const left: number[] = [];
  const right: number[] = [];
  for (let i = 0; i + k < x.length; i++) {
    if (Math.floor(i / k) % 2 === 0) {
      left.push(x[i]);
      right.push(x[i + k]);
    }
  }
  return [Float64Array.from(left), Float64Array.from(right)];
}

function expectIndependent(ctx: SpecContext, what: string, x: ArrayLike<number>, y: ArrayLike<number>, alpha: number) {
  ctx.statistic({ ...bivariateNormalTest(x, y, alpha), test: `${what}: (x, y) ~ N(0, I_2) over radius x angle bins` });
  ctx.statistic({ ...squaresUncorrelatedTest(x, y, alpha), test: `${what}: squares uncorrelated` });
}

/** Seeds the contract accepts, with the ones that differ only above bit 32 (the Philox key's second word). */
function validSeeds(base: number): number[] {
  return [...new Set([0, base, base + 1, base + 2 ** 32, base + 2 ** 40, 2 ** 52 + base, 2 ** 53 - 1])];
}

const INVALID_SEEDS: unknown[] = [-1, 0.5, 2 ** 53, Number.MAX_VALUE, NaN, Infinity, '7'];

async function rejection(backend: DiffusionBackend, seed: unknown): Promise<string | undefined> {
  try {
    const z = await backend.randomNormal({ shape: [1, 4], seed: seed as number, stream: 1 });
    return `accepted, returned ${Array.from(z.data).join(', ')}`;
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    return message.includes('seed') ? undefined : `the error "${message}" does not name the field seed`;
  }
}

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
      if (!sameShape(a.shape, b.shape) || a.data.some((v, i) => v !== b.data[i]))
        ctx.fail('two draws with the same seed and stream differ');
      if (a.data.every((v, i) => v === c.data[i])) ctx.fail('streams 1 and 2 gave identical noise');
    },
  },
  {
    name: 'each integer seed in 0..2^53 - 1 has its own stream; other seeds are rejected naming the field',
    kind: 'exact',
    equation: 'seed in {0, ..., 2^53 - 1}: z(seed) reproducible, z(a) != z(b) for a != b, also for a - b in 2^32 Z',
    source: 'Philox key [seed mod 2^32, floor(seed / 2^32)] (Salmon et al. 2011; README Conventions)',
    requires: ['random'],
    async run(backend, ctx) {
      const shape = [1, 16];
      const seeds = validSeeds(ctx.subSeed(3));
      const draws = new Map<number, Float64Array>();
      for (const seed of seeds) {
        const z = ctx.expectShape(`z(seed ${seed})`, await backend.randomNormal({ shape, seed, stream: 1 }), shape);
        const again = await backend.randomNormal({ shape, seed, stream: 1 });
        if (z.data.some((v, i) => v !== again.data[i])) ctx.fail(`two draws with seed ${seed} differ`);
        if (!z.data.every(Number.isFinite)) ctx.fail(`seed ${seed} gave non-finite noise ${Array.from(z.data)}`);
        for (const [other, w] of draws) {
          if (w.every((v, i) => v === z.data[i])) ctx.fail(`seeds ${other} and ${seed} gave identical noise`);
        }
        draws.set(seed, Float64Array.from(z.data));
      }
      for (const seed of INVALID_SEEDS) {
        const problem = await rejection(backend, seed);
        if (problem) ctx.fail(`seed ${typeof seed === 'string' ? JSON.stringify(seed) : String(seed)}: ${problem}`);
      }
    },
  },
  {
    name: 'randomNormal draws iid N(0, 1), independent across the batch',
    reads: ['randomNormal.noise'],
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
      ctx.statistic({
        ...zeroCorrelationTest(d.subarray(0, (BATCH - 1) * ITEM), d.subarray(ITEM), alpha),
        test: 'neighbouring batch items uncorrelated',
      });
      ctx.statistic({
        ...zeroCorrelationTest(d.subarray(0, d.length - 1), d.subarray(1), alpha),
        test: 'neighbouring elements uncorrelated',
      });
    },
  },
  {
    name: 'randomNormal values are independent beyond correlation: in a tensor, across batch and streams',
    kind: 'statistical',
    equation:
      '(z_i, z_{i+k}) ~ N(0, I_2) for k = 1, 2, 3, batch items n, n + 1 and streams s, s + 1: radius^2 ~ chi^2_2, ' +
      'angle uniform and independent of it; corr(z_i^2, z_j^2) = 0',
    source: 'Ho et al. 2020, Algorithm 1 (eps ~ N(0, I)); Box & Muller 1958',
    requires: ['random'],
    falseAlarm: INDEPENDENCE_FALSE_ALARM,
    async run(backend, ctx) {
      const alpha = INDEPENDENCE_FALSE_ALARM / INDEPENDENCE_TESTS;
      const shape = [BATCH, ITEM];
      const seed = ctx.subSeed(2);
      const z = ctx.expectShape('z', await backend.randomNormal({ shape, seed, stream: 11 }), shape).data;
      const nextStream = await backend.randomNormal({ shape, seed, stream: 12 });
      const next = ctx.expectShape('z of the next stream', nextStream, shape).data;
      for (const k of LAGS) expectIndependent(ctx, `lag ${k}`, ...lagPairs(z, k), alpha);
      expectIndependent(ctx, 'batch items n, n + 1', ...lagPairs(z, ITEM), alpha);
      expectIndependent(ctx, 'streams 11, 12', z, next, alpha);
    },
  },
]);
