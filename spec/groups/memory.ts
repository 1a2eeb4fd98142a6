// Memory specs for backends whose tensors live outside the JavaScript heap (tf.Tensor, GPU textures): the
// garbage collector does not free them, so every intermediate must be disposed. Claim: the number of live
// device tensors (DiffusionBackend.liveTensorCount, capability 'memory') after any operation returns, or
// throws, equals the number before it, and is the same at every step of the sampling loops.
import type { DiffusionBackend, ReverseOptions } from '../../src/contract/backend.js';
import { DEFAULT_ADAM } from '../../src/equations/adam.js';
import { initialWeights, zerosLike } from '../../src/models/init.js';
import type { ModelSpec } from '../../src/models/spec.js';
import { gaussianTensor } from '../../src/random/gaussian.js';
import { type ScheduleSpec, SEED_SCHEDULE } from '../../src/schedule/spec.js';
import { scheduleTables } from '../../src/schedule/tables.js';
import { defineGroup } from '../../src/speckit/check.js';
import type { SpecContext } from '../../src/speckit/context.js';
import { type Tensor, tensor } from '../../src/tensor.js';
import { SMALL_MODELS, someLabels } from '../support/architectures.js';

const SHAPE = [2, 3, 4, 4];
/** Short enough that the DDPM loop runs in milliseconds per option set, long enough to see a per-step leak. */
const LOOP_SCHEDULE: ScheduleSpec = { kind: 'linear', T: 25, betaStart: 1e-4, betaEnd: 0.2 };
const REPEATS = 3;
/** Every prediction/variance/clip combination the reverse process composes differently. */
const REVERSE_OPTIONS: ReverseOptions[] = [
  {},
  { prediction: 'x0', variance: 'fixed_large', clip: true },
  { prediction: 'v', variance: 'learned_range' },
  { prediction: 'eps', variance: 'learned_range', clip: true, eta: 0.5 },
];

/**
 * Both kinds of network: convolutions (padding, channel concatenation) and dense layers with GELU and the embedding.
 */
const TRAINING_MODELS: ModelSpec[] = [
  { architecture: 'simple-conv', channels: SHAPE[1], height: SHAPE[2], width: SHAPE[3] },
  { architecture: 'mlp', dim: 2, hidden: 8, layers: 2, embeddingDim: 4, activation: 'gelu' },
];

const noise = (ctx: SpecContext, i: number, shape: readonly number[] = SHAPE) =>
  gaussianTensor(shape, ctx.subSeed(i), 0);
/** A model output for the options: twice the channels for learned_range, the second half in [-1, 1]. */
function modelOutput(ctx: SpecContext, i: number, o: ReverseOptions): Tensor {
  if (o.variance !== 'learned_range') return noise(ctx, i);
  const z = noise(ctx, i, [SHAPE[0], 2 * SHAPE[1], SHAPE[2], SHAPE[3]]);
  return tensor(z.shape, z.data.map(Math.tanh));
}

/** Runs op REPEATS times; the live count must be back at its starting value after each run, failed or not. */
async function expectFlat(
  ctx: SpecContext,
  backend: DiffusionBackend,
  what: string,
  op: () => Promise<unknown>,
): Promise<void> {
  const count = () => backend.liveTensorCount!();
  const before = count();
  for (let r = 0; r < REPEATS; r++) {
    await op();
    const after = count();
    if (after !== before)
      ctx.fail(`${what}: ${after - before} more live tensors after run ${r + 1} (${before} before, ${after} after)`);
  }
}

export const memoryGroup = defineGroup('memory', 'Device memory: no tensor outlives the operation that made it', [
  {
    name: 'forward-process operations leave the live tensor count unchanged',
    kind: 'exact',
    equation: 'liveTensorCount() after op = liveTensorCount() before op',
    source: 'TensorFlow.js memory model (tf.tidy / dispose); DDPM forward process, Ho et al. 2020, eqs. 2, 4, 6-7',
    requires: ['memory', 'forward', 'random'],
    async run(backend, ctx) {
      const schedule = await backend.schedule(SEED_SCHEDULE);
      const [x0, e] = [noise(ctx, 0), noise(ctx, 1)];
      const t = [3, 100];
      await expectFlat(ctx, backend, 'forwardStep', () => backend.forwardStep({ schedule, xPrev: x0, noise: e, t }));
      await expectFlat(ctx, backend, 'qSample', () => backend.qSample({ schedule, x0, noise: e, t }));
      await expectFlat(ctx, backend, 'qPosterior', () => backend.qPosterior({ schedule, x0, xt: e, t }));
      await expectFlat(ctx, backend, 'forwardChain', () =>
        backend.forwardChain({ schedule, x0, t: 20, seed: ctx.subSeed(2), recordAt: [0, 5, 20] }),
      );
      await expectFlat(ctx, backend, 'randomNormal', () =>
        backend.randomNormal({ shape: SHAPE, seed: ctx.subSeed(3), stream: 1 }),
      );
    },
  },
  {
    name: 'reverse-process steps, the loss and the embedding leave the live tensor count unchanged',
    kind: 'exact',
    equation: 'liveTensorCount() after op = liveTensorCount() before op, for every prediction and variance type',
    source:
      'TensorFlow.js memory model; Ho et al. 2020, Algorithm 2; Song et al. 2021, eq. 12; Nichol & Dhariwal 2021, eq. 15',
    requires: ['memory', 'reverse', 'loss', 'embedding'],
    async run(backend, ctx) {
      const schedule = await backend.schedule(SEED_SCHEDULE);
      const [xt, z] = [noise(ctx, 0), noise(ctx, 1)];
      const t = [1, 57];
      for (const [i, options] of REVERSE_OPTIONS.entries()) {
        const out = modelOutput(ctx, 10 + i, options);
        const label = JSON.stringify(options);
        await expectFlat(ctx, backend, `pMeanVariance ${label}`, () =>
          backend.pMeanVariance({ schedule, xt, t, modelOutput: out, options }),
        );
        await expectFlat(ctx, backend, `ddpmStep ${label}`, () =>
          backend.ddpmStep({ schedule, xt, t, modelOutput: out, noise: z, options }),
        );
        await expectFlat(ctx, backend, `ddimStep ${label}`, () =>
          backend.ddimStep({ schedule, xt, t, tPrev: [0, 40], modelOutput: out, noise: z, options }),
        );
        if (!options.eta)
          await expectFlat(ctx, backend, `ddimReverseStep ${label}`, () =>
            backend.ddimReverseStep({ schedule, xt, t, tNext: [2, 80], modelOutput: out, options }),
          );
      }
      await expectFlat(ctx, backend, 'lossSimple', () =>
        backend.lossSimple({ schedule, x0: xt, noise: z, t, modelOutput: xt }),
      );
      await expectFlat(ctx, backend, 'timestepEmbedding', () => backend.timestepEmbedding({ t: [1, 500.5], dim: 9 }));
    },
  },
  {
    name: 'the live tensor count is the same at every step of the DDPM and DDIM sampling loops and after them',
    kind: 'exact',
    equation:
      'liveTensorCount() seen by the model at step t is the same for every t, and equals the count before the loop once it returns',
    source: 'TensorFlow.js memory model; Ho et al. 2020, Algorithm 2; Song et al. 2021, eq. 12',
    requires: ['memory', 'sampling'],
    async run(backend, ctx) {
      const schedule = await backend.schedule(LOOP_SCHEDULE);
      for (const [i, options] of REVERSE_OPTIONS.entries()) {
        const seen: number[] = [];
        const model = (_xt: Tensor) => {
          seen.push(backend.liveTensorCount!());
          return modelOutput(ctx, 20 + i, options);
        };
        const label = JSON.stringify(options);
        const loops = [
          {
            what: `sampleDdpm ${label}`,
            run: () => backend.sampleDdpm({ schedule, shape: SHAPE, model, seed: ctx.subSeed(30 + i), options }),
          },
          {
            what: `sampleDdim ${label}`,
            run: () =>
              backend.sampleDdim({
                schedule,
                shape: SHAPE,
                model,
                seed: ctx.subSeed(40 + i),
                timesteps: [25, 17, 8, 2, 1],
                options,
              }),
          },
        ];
        for (const loop of loops) {
          seen.length = 0;
          await expectFlat(ctx, backend, loop.what, loop.run);
          if (new Set(seen).size !== 1)
            ctx.fail(`${loop.what}: live tensors seen by the model per step vary: ${[...new Set(seen)].join(', ')}`);
        }
      }
    },
  },
  {
    name: 'training operations and trainer steps leave the live tensor count unchanged',
    kind: 'exact',
    equation:
      'liveTensorCount() after predict, lossAndGradients, adamStep, a denoiser call or a trainer step (clipping, EMA) = the count before it; after trainer.dispose() = the count before the trainer',
    source: 'TensorFlow.js memory model; Ho et al. 2020, Algorithm 1; Kingma & Ba 2015, Algorithm 1',
    requires: ['memory', 'training'],
    async run(backend, ctx) {
      const training = backend.training!;
      const schedule = scheduleTables(LOOP_SCHEDULE);
      for (const [i, model] of TRAINING_MODELS.entries()) {
        const weights = initialWeights(model, ctx.subSeed(60 + i));
        const shape = model.architecture === 'mlp' ? [SHAPE[0], model.dim] : SHAPE;
        const [x0, e] = [noise(ctx, 62 + 2 * i, shape), noise(ctx, 63 + 2 * i, shape)];
        const t = [1, schedule.T];
        await expectFlat(ctx, backend, `predict ${model.architecture}`, () =>
          training.predict({ model, weights, x: x0, t, T: schedule.T }),
        );
        await expectFlat(ctx, backend, `lossAndGradients ${model.architecture}`, () =>
          training.lossAndGradients({ model, weights, schedule, x0, t, noise: e }),
        );
        const denoiser = await training.denoiser(model, weights, schedule.T);
        await expectFlat(ctx, backend, `denoiser call ${model.architecture}`, async () =>
          denoiser.model(x0, Int32Array.from(t)),
        );
        denoiser.dispose();
        const before = backend.liveTensorCount!();
        const trainer = await training.createTrainer(
          model,
          schedule,
          { step: 0, params: weights, m: zerosLike(weights), v: zerosLike(weights) },
          { adam: DEFAULT_ADAM, clipGradNorm: 0.1, emaDecay: 0.9, seed: ctx.subSeed(70 + i) },
        );
        try {
          await expectFlat(ctx, backend, `trainer.step ${model.architecture}`, () => trainer.step(x0));
        } finally {
          trainer.dispose();
        }
        const after = backend.liveTensorCount!();
        if (after !== before)
          ctx.fail(
            `trainer ${model.architecture}: ${after - before} more live tensors after dispose (${before} before it was created)`,
          );
      }
      const p = noise(ctx, 80, [5]);
      await expectFlat(ctx, backend, 'adamStep', () =>
        training.adamStep({
          param: p,
          grad: p,
          m: p,
          v: tensor([5], p.data.map(Math.abs)),
          step: 2,
          hyper: DEFAULT_ADAM,
        }),
      );
    },
  },
  {
    name: 'U-Net, U-Net with attention and DiT forward and backward passes leave the live tensor count unchanged',
    kind: 'exact',
    equation:
      'liveTensorCount() after predict, lossAndGradients and a class-conditional trainer step of unet (add, concat), ' +
      'unet-attn and dit = the count before it',
    source: 'TensorFlow.js memory model; Ho et al. 2020, Algorithm 1; Ho & Salimans 2022, Algorithm 1',
    requires: ['memory', 'architectures'],
    async run(backend, ctx) {
      const training = backend.training!;
      const schedule = scheduleTables(LOOP_SCHEDULE);
      for (const [i, model] of SMALL_MODELS.entries()) {
        const weights = initialWeights(model, ctx.subSeed(90 + i));
        const shape = [2, model.channels, model.height, model.width];
        const [x0, e] = [noise(ctx, 92 + 2 * i, shape), noise(ctx, 93 + 2 * i, shape)];
        const [t, labels] = [[1, schedule.T], someLabels(2, model.classes)];
        const name = model.architecture;
        await expectFlat(ctx, backend, `predict ${name}`, () =>
          training.predict({ model, weights, x: x0, t, T: schedule.T, labels }),
        );
        const gradients = () => training.lossAndGradients({ model, weights, schedule, x0, t, noise: e, labels });
        await expectFlat(ctx, backend, `lossAndGradients ${name}`, gradients);
        const state = { step: 0, params: weights, m: zerosLike(weights), v: zerosLike(weights) };
        const options = { adam: DEFAULT_ADAM, emaDecay: 0.9, pUncond: 0.5, seed: ctx.subSeed(99) };
        const trainer = await training.createTrainer(model, schedule, state, options);
        try {
          await expectFlat(ctx, backend, `trainer.step ${name}`, () => trainer.step(x0, labels));
        } finally {
          trainer.dispose();
        }
      }
    },
  },
  {
    name: 'an operation that fails part-way releases what it had allocated',
    kind: 'exact',
    equation: 'liveTensorCount() after a throwing op = liveTensorCount() before it',
    source: 'TensorFlow.js memory model (dispose in finally)',
    requires: ['memory', 'sampling', 'reverse'],
    async run(backend, ctx) {
      const schedule = await backend.schedule(SEED_SCHEDULE);
      const failing = (stepsBeforeFailure: number) => {
        let calls = 0;
        return (xt: Tensor) => {
          if (++calls > stepsBeforeFailure) throw new Error('model failed on purpose');
          return xt;
        };
      };
      const expectThrow = async (what: string, op: () => Promise<unknown>) => {
        let threw = false;
        await expectFlat(ctx, backend, what, () => op().catch(() => (threw = true)));
        if (!threw) ctx.fail(`${what}: expected the operation to throw`);
      };
      await expectThrow('sampleDdpm with a model that throws at step 3', () =>
        backend.sampleDdpm({ schedule, shape: SHAPE, model: failing(2), seed: ctx.subSeed(50) }),
      );
      await expectThrow('sampleDdim with a model of the wrong shape', () =>
        backend.sampleDdim({
          schedule,
          shape: SHAPE,
          model: () => noise(ctx, 51, [1, 1]),
          seed: ctx.subSeed(51),
          timesteps: [50, 10],
        }),
      );
      // eta > 0 without noise is rejected after x0 and eps are already on the device.
      const [xt, out] = [noise(ctx, 52), noise(ctx, 53)];
      await expectThrow('ddimStep with eta > 0 and no noise', () =>
        backend.ddimStep({ schedule, xt, t: [50, 50], tPrev: [10, 10], modelOutput: out, options: { eta: 1 } }),
      );
    },
  },
]);
