// Classifier-free guidance, over every backend that declares 'architectures' (class-conditional models) and the
// sampling operations:
//   eps~(x_t, c) = (1 + w) eps(x_t, c) - w eps(x_t, null)            (Ho & Salimans 2022, eq. 6)
//   x0 and v predictions converted to eps first: eps = (x_t - sqrt(ab) x0^) / sqrt(1 - ab)   (Ho et al. 2020, eq. 4)
//   training: c -> null with probability p_uncond                     (Ho & Salimans 2022, Algorithm 1)
import { cpuBackend } from '../../backends/cpu/index.js';
import type { DenoiserModel, DiffusionBackend } from '../../src/contract/backend.js';
import type { TrainingBackend } from '../../src/contract/training.js';
import { DEFAULT_ADAM } from '../../src/equations/adam.js';
import type { PredictionType } from '../../src/equations/prediction.js';
import { guidedDenoiser } from '../../src/models/guided.js';
import { initialWeights, zerosLike } from '../../src/models/init.js';
import { gaussianTensor } from '../../src/random/gaussian.js';
import { scheduleTables } from '../../src/schedule/tables.js';
import { defineGroup } from '../../src/speckit/check.js';
import { ROUNDINGS } from '../../src/speckit/tolerance.js';
import type { Tensor } from '../../src/tensor.js';
import { maxAbs, modelRoundings, randomWeights, SMALL_MODELS } from '../support/architectures.js';

/** A short schedule: the loops run T steps, each two model calls. */
const SCHEDULE = scheduleTables({ kind: 'linear', T: 4, betaStart: 0.1, betaEnd: 0.4 });
const MODEL = SMALL_MODELS[SMALL_MODELS.length - 1];
const BATCH = 2;
const NULL_LABELS = new Int32Array(BATCH).fill(MODEL.classes);
/** Host float64 work on downloaded outputs: the conversion to eps (2 products, a sum) and the guidance (3). */
const GUIDANCE_ROUNDINGS = 8;

function training(backend: DiffusionBackend): TrainingBackend {
  if (!backend.training) throw new Error(`${backend.name} declares 'architectures' but has no training operations`);
  return backend.training;
}

/** The model with the given labels, and with the null class, on the backend; disposed by `dispose`. */
async function models(backend: DiffusionBackend, labels: Int32Array, seed: number) {
  const weights = randomWeights(MODEL, seed);
  const conditional = await training(backend).denoiser(MODEL, weights, SCHEDULE.T, labels);
  const unconditional = await training(backend).denoiser(MODEL, weights, SCHEDULE.T, NULL_LABELS);
  return {
    conditional: conditional.model,
    unconditional: unconditional.model,
    dispose: () => [conditional, unconditional].forEach((d) => d.dispose()),
  };
}

/**
 * eps from a model output read as the given prediction, in float64 (Ho et al. 2020, eq. 4; Salimans & Ho 2022,
 * sec. 4), with the running magnitude of its terms (what the rounding error of the conversion scales with).
 */
interface Eps {
  value: Float64Array;
  scale: Float64Array;
}

/** `magnitude`: what an output's own error scales with (the network's forward-pass magnitude). */
function asEps(prediction: PredictionType, xt: Tensor, out: Tensor, t: Int32Array, magnitude: number): Eps {
  const item = xt.data.length / xt.shape[0];
  const value = new Float64Array(out.data.length);
  const scale = new Float64Array(out.data.length);
  out.data.forEach((o, i) => {
    const ab = SCHEDULE.alphaBar[t[Math.floor(i / item)]];
    const [signal, noise] = [Math.sqrt(ab), Math.sqrt(1 - ab)];
    const x = xt.data[i];
    if (prediction === 'eps') {
      [value[i], scale[i]] = [o, magnitude];
      return;
    }
    const x0 = prediction === 'x0' ? o : signal * x - noise * o;
    const x0Scale = prediction === 'x0' ? magnitude : signal * Math.abs(x) + noise * magnitude;
    value[i] = (x - signal * x0) / noise;
    scale[i] = (Math.abs(x) + signal * x0Scale) / noise;
  });
  return { value, scale };
}

export const guidanceGroup = defineGroup(
  'guidance',
  'Classifier-free guidance: the guided model, its loops, and label dropout in training',
  [
    {
      name: 'guidance w = 0 gives the conditional model and w = -1 the unconditional one, for eps, x0 and v predictions',
      kind: 'exact',
      equation:
        'eps~ = (1 + w) eps(x_t, c) - w eps(x_t, null): eps~ = eps(x_t, c) at w = 0, eps(x_t, null) at w = -1, and the ' +
        'combination at w = 3',
      source: 'Ho & Salimans 2022, eq. 6 and sec. 3.2',
      requires: ['architectures'],
      async run(backend, ctx) {
        const labels = Int32Array.of(0, 1);
        const weights = randomWeights(MODEL, ctx.subSeed(0));
        const { conditional, unconditional, dispose } = await models(backend, labels, ctx.subSeed(0));
        try {
          const xt = gaussianTensor([BATCH, MODEL.channels, MODEL.height, MODEL.width], ctx.subSeed(1), 0);
          const t = Int32Array.of(1, 3);
          // The float64 reference's conditional and unconditional outputs: the guided model on this backend must agree.
          const reference = (y: Int32Array) =>
            training(cpuBackend).predict({
              model: MODEL,
              weights,
              x: xt,
              t,
              T: SCHEDULE.T,
              labels: y,
            });
          const [c, u] = [await reference(labels), await reference(NULL_LABELS)];
          const magnitude = Math.max(maxAbs(c.data), maxAbs(u.data)) + 1;
          for (const prediction of ['eps', 'x0', 'v'] as const) {
            const [ce, ue] = [asEps(prediction, xt, c, t, magnitude), asEps(prediction, xt, u, t, magnitude)];
            for (const w of [0, -1, 3]) {
              const expected = ce.value.map((v, i) => (1 + w) * v - w * ue.value[i]);
              const guided = await guidedDenoiser(conditional, unconditional, { w, prediction, schedule: SCHEDULE })(
                xt,
                t,
              );
              const scale = ce.scale.map((v, i) => Math.abs(1 + w) * v + Math.abs(w) * ue.scale[i]);
              ctx.expectClose({
                what: `guided ${prediction} model at w = ${w}`,
                actual: guided,
                expected,
                scale,
                roundings: modelRoundings(MODEL, ctx.precision) + GUIDANCE_ROUNDINGS,
                shape: xt.shape,
              });
            }
          }
        } finally {
          dispose();
        }
      },
    },
    {
      name: 'the guided DDPM and DDIM loops equal their step-by-step recursion',
      kind: 'exact',
      equation:
        'x_T = randomNormal(stream 0); x_{t-1} = step(x_t, eps~(x_t, t), z_t) for t = T..1, z_t = randomNormal(stream ' +
        't)',
      source: 'Ho et al. 2020, Algorithm 2; Song et al. 2021, eq. 12; Ho & Salimans 2022, Algorithm 2',
      requires: ['architectures', 'sampling', 'reverse', 'random'],
      async run(backend, ctx) {
        const { conditional, unconditional, dispose } = await models(backend, Int32Array.of(2, 0), ctx.subSeed(0));
        try {
          const guided: DenoiserModel = guidedDenoiser(conditional, unconditional, {
            w: 2,
            prediction: 'eps',
            schedule: SCHEDULE,
          });
          const shape = [BATCH, MODEL.channels, MODEL.height, MODEL.width];
          const seed = ctx.subSeed(1);
          const timesteps = Array.from({ length: SCHEDULE.T }, (_, i) => SCHEDULE.T - i);
          const noise = (stream: number) => backend.randomNormal({ shape, seed, stream });
          const at = (t: number) => new Int32Array(BATCH).fill(t);
          for (const sampler of ['ddpm', 'ddim'] as const) {
            const loop =
              sampler === 'ddpm'
                ? await backend.sampleDdpm({
                    schedule: SCHEDULE,
                    shape,
                    model: guided,
                    seed,
                  })
                : await backend.sampleDdim({ schedule: SCHEDULE, shape, model: guided, seed, timesteps });
            let x = await noise(0);
            for (const t of timesteps) {
              const modelOutput = await guided(x, at(t));
              x =
                sampler === 'ddpm'
                  ? (
                      await backend.ddpmStep({
                        schedule: SCHEDULE,
                        xt: x,
                        t: at(t),
                        modelOutput,
                        noise: await noise(t),
                      })
                    ).prev
                  : (await backend.ddimStep({ schedule: SCHEDULE, xt: x, t: at(t), tPrev: at(t - 1), modelOutput }))
                      .prev;
            }
            // The same operations in the same order: only the loop's
            // own bookkeeping may differ, a step's roundings each.
            const steps = timesteps.length * (sampler === 'ddpm' ? ROUNDINGS.ddpmStep : ROUNDINGS.ddimStep);
            ctx.expectClose({
              what: `guided ${sampler} loop against its recursion`,
              actual: loop,
              expected: x.data,
              scale: Array.from(x.data, (v) => Math.abs(v) + 1),
              roundings: steps,
              shape,
            });
          }
        } finally {
          dispose();
        }
      },
    },
    {
      name: 'training drops every label to the null class at p_uncond = 1 and none at p_uncond = 0',
      kind: 'exact',
      equation: 'c -> null with probability p_uncond: labels after dropout = null everywhere at 1, unchanged at 0',
      source: 'Ho & Salimans 2022, Algorithm 1, line 3',
      requires: ['architectures'],
      async run(backend, ctx) {
        const params = initialWeights(MODEL, ctx.subSeed(0));
        const labels = Int32Array.of(0, 2);
        const x0 = gaussianTensor([BATCH, MODEL.channels, MODEL.height, MODEL.width], ctx.subSeed(1), 0);
        for (const [pUncond, expected] of [
          [0, labels],
          [1, NULL_LABELS],
        ] as const) {
          const trainer = await training(backend).createTrainer(
            MODEL,
            SCHEDULE,
            { step: 0, params, m: zerosLike(params), v: zerosLike(params) },
            { adam: DEFAULT_ADAM, seed: ctx.subSeed(2), pUncond },
          );
          try {
            const step = await trainer.step(x0, labels);
            if (!step.labels || !expected.every((y, i) => step.labels![i] === y))
              ctx.fail(
                `p_uncond = ${pUncond}: the step used labels [${step.labels?.join(', ')}], expected [${expected.join(', ')}]`,
              );
          } finally {
            trainer.dispose();
          }
        }
      },
    },
  ],
);
