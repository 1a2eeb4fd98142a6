// Training specs, over every backend that declares the 'training' capability.
//   eps_theta: the seed's SimpleDenoiseModel and a 2-D MLP (src/models), checked against the
// spec's own float64 definitions   L_simple = E_{t, x_0, eps} || eps - eps_theta(sqrt(alpha-bar_t)
// x_0 + sqrt(1 - alpha-bar_t) eps, t) ||^2   (Ho et al. 2020, eq. 14)   Algorithm 1 (Ho et al.
// 2020): x_0 ~ q(x_0), t ~ Uniform({1..T}), eps ~ N(0, I), gradient step on L_simple   Adam with
// bias correction (Kingma & Ba 2015, Algorithm 1); EMA of the weights (Ho et al. 2020, appendix B)
import { Decimal } from 'decimal.js';
import fc from 'fast-check';
import type { DiffusionBackend } from '../../src/contract/backend.js';
import type { TrainingBackend, TrainOptions, Weights } from '../../src/contract/training.js';
import { toyDataset } from '../../src/data/toy2d.js';
import { type AdamHyperparameters, DEFAULT_ADAM } from '../../src/equations/adam.js';
import { DiffspecInputError } from '../../src/errors.js';
import { initialWeights, zerosLike } from '../../src/models/init.js';
import type { MlpSpec } from '../../src/models/mlp.js';
import { architectureOf, type ModelSpec } from '../../src/models/spec.js';
import { gaussianTensor, gaussianValues } from '../../src/random/gaussian.js';
import { uniformValues } from '../../src/random/uniform.js';
import { SEED_SCHEDULE } from '../../src/schedule/spec.js';
import { type ScheduleTables, scheduleTables } from '../../src/schedule/tables.js';
import { defineGroup } from '../../src/speckit/check.js';
import type { SpecContext } from '../../src/speckit/context.js';
import {
  FINITE_DIFFERENCE,
  meanSquaredErrorRoundings,
  networkRoundings,
  relativeBound,
} from '../../src/speckit/tolerance.js';
import { knnKlDivergence } from '../../src/stats/divergence.js';
import { normalCdf } from '../../src/stats/normal.js';
import { chiSquareUniformTest, type TestOutcome, zeroCorrelationTest } from '../../src/stats/tests.js';
import type { Tensor } from '../../src/tensor.js';
import { sampleBatch } from '../../src/training/batches.js';
import {
  type ReferenceModelSpec,
  referenceLoss,
  referencePredict,
  takeReluPattern,
} from '../support/reference-models.js';

const SCHEDULE = scheduleTables(SEED_SCHEDULE);
const SMALL_MLP: MlpSpec = { architecture: 'mlp', dim: 2, hidden: 16, layers: 3, embeddingDim: 8, activation: 'relu' };
/**
 * The default MLP (3 hidden layers of 128, GELU), the seed's
 * SimpleDenoiseModel on 3 x 4 x 5 images, and a small ReLU MLP.
 */
const MODELS: ReferenceModelSpec[] = [
  { architecture: 'mlp', dim: 2, hidden: 128, layers: 3, embeddingDim: 32, activation: 'gelu' },
  SMALL_MLP,
  { architecture: 'simple-conv', channels: 3, height: 4, width: 5 },
];

function training(backend: DiffusionBackend): TrainingBackend {
  if (!backend.training) throw new Error(`${backend.name} declares 'training' but has no training operations`);
  return backend.training;
}

/** Forward-pass roundings of a model, from its layers' fan-ins (src/speckit/tolerance.ts). */
function modelRoundings(model: ModelSpec, ctx: SpecContext): number {
  const fanIns = architectureOf(model)
    .parameters(model)
    .filter((p) => p.name.endsWith('weight'))
    .map((p) => p.fanIn);
  const elementary = model.architecture === 'mlp' ? (model.activation === 'gelu' ? model.layers : 0) + 1 : 0;
  return networkRoundings(fanIns, elementary, ctx.precision);
}

interface LossCase {
  weights: Weights;
  x0: Tensor;
  noise: Tensor;
  t: Int32Array;
}

function lossCase(model: ModelSpec, seed: number, batch: number): LossCase {
  const item = architectureOf(model).itemShape(model);
  const shape = [batch, ...item];
  return {
    weights: initialWeights(model, seed),
    x0: gaussianTensor(shape, seed, 1),
    noise: gaussianTensor(shape, seed, 2),
    t: Int32Array.from(uniformValues(seed, 3, batch), (u) => 1 + Math.floor(u * SCHEDULE.T)),
  };
}

const withTensor = (w: Weights, name: string, data: Float64Array): Weights => ({
  ...w,
  [name]: { shape: w[name].shape, data },
});

/**
 * Central difference of the reference loss along direction v of one tensor, or undefined when w +- h v moves a
 * ReLU across its kink (the difference quotient is then no derivative).
 */
function centralDifference(model: ReferenceModelSpec, c: LossCase, name: string, v: Float64Array): number | undefined {
  const h = FINITE_DIFFERENCE.step;
  const base = c.weights[name].data;
  takeReluPattern();
  referenceLoss(model, c.weights, SCHEDULE, c.x0, c.t, c.noise);
  const pattern = takeReluPattern();
  const plus = referenceLoss(
    model,
    withTensor(
      c.weights,
      name,
      Float64Array.from(base, (x, i) => x + h * v[i]),
    ),
    SCHEDULE,
    c.x0,
    c.t,
    c.noise,
  ).loss;
  const plusPattern = takeReluPattern();
  const minus = referenceLoss(
    model,
    withTensor(
      c.weights,
      name,
      Float64Array.from(base, (x, i) => x - h * v[i]),
    ),
    SCHEDULE,
    c.x0,
    c.t,
    c.noise,
  ).loss;
  if (plusPattern !== pattern || takeReluPattern() !== pattern) return undefined;
  return (plus - minus) / (2 * h);
}

const COORDINATES_PER_TENSOR = 3;

/** A trainer at step 0 with fresh weights (seed `initSeed`) and zero Adam moments. */
function freshTrainer(
  backend: DiffusionBackend,
  model: ModelSpec,
  initSeed: number,
  options: TrainOptions,
  schedule = SCHEDULE,
) {
  const params = initialWeights(model, initSeed);
  return training(backend).createTrainer(
    model,
    schedule,
    { step: 0, params, m: zerosLike(params), v: zerosLike(params) },
    options,
  );
}

/** L_simple and its gradients on a loss case. */
const caseGradients = (backend: DiffusionBackend, model: ModelSpec, c: LossCase) =>
  training(backend).lossAndGradients({
    model,
    weights: c.weights,
    schedule: SCHEDULE,
    x0: c.x0,
    t: c.t,
    noise: c.noise,
  });

/** Trains and returns the weights; `losses` receives (step, batch L_simple) for the report's loss curve. */
async function trainMlp(
  backend: DiffusionBackend,
  model: MlpSpec,
  data: Tensor,
  steps: number,
  batch: number,
  seed: number,
  adam: AdamHyperparameters,
  schedule: ScheduleTables,
  losses: [number, number][] = [],
) {
  const trainer = await freshTrainer(backend, model, seed, { adam, seed }, schedule);
  try {
    for (let k = 1; k <= steps; k++) losses.push([k, (await trainer.step(sampleBatch(data, batch, seed, k))).loss]);
    return (await trainer.state()).params;
  } finally {
    trainer.dispose();
  }
}

/** The small GELU MLP the L_simple threshold check trains for PROBE_LOSS_RUN.steps steps on a fixed toy set. */
const PROBE_LOSS_MODEL: MlpSpec = { ...SMALL_MLP, hidden: 32, activation: 'gelu' };

/**
 * L_simple on a fixed probe (x_0, t, eps) before and after training PROBE_LOSS_MODEL from initial weights `seed`
 * for `steps` steps (0: untrained) on 256 fixed two-moons points, batch 64, Adam at lr 3e-3.
 */
export async function probeLossAfterTraining(
  backend: DiffusionBackend,
  seed: number,
  steps: number,
  curve: [number, number][] = [],
) {
  const model = PROBE_LOSS_MODEL;
  const data = toyDataset('two-moons', 256, 1);
  const probe = {
    x0: toyDataset('two-moons', 512, 2),
    noise: gaussianTensor([512, 2], 3, 0),
    t: Int32Array.from(uniformValues(4, 0, 512), (u) => 1 + Math.floor(u * SCHEDULE.T)),
  };
  const loss = async (weights: Weights) =>
    (await training(backend).lossAndGradients({ model, weights, schedule: SCHEDULE, ...probe })).loss;
  const before = await loss(initialWeights(model, seed));
  const after = await loss(
    await trainMlp(backend, model, data, steps, 64, seed, { ...DEFAULT_ADAM, learningRate: 3e-3 }, SCHEDULE, curve),
  );
  return { before, after };
}

const E2E_MODEL: MlpSpec = { architecture: 'mlp', dim: 2, hidden: 32, layers: 3, embeddingDim: 16, activation: 'gelu' };

/**
 * Trains E2E_MODEL from initial weights `seeds[0]` for `steps` steps (0: untrained) on 2000 fixed two-moons points
 * (batch 128, Adam at lr 1e-2), draws E2E_RUN.samples DDPM samples (seed `seeds[1]`) and returns the k-NN KL
 * estimates (k = 5) between them and as many fresh two-moons points (seed `seeds[2]`).
 */
export async function endToEndKl(backend: DiffusionBackend, seeds: readonly [number, number, number], steps: number) {
  const model = E2E_MODEL;
  const weights = await trainMlp(
    backend,
    model,
    toyDataset('two-moons', 2000, 1),
    steps,
    E2E_RUN.batch,
    seeds[0],
    { ...DEFAULT_ADAM, learningRate: E2E_RUN.learningRate },
    SCHEDULE,
  );
  const n = E2E_RUN.samples;
  const denoiser = await training(backend).denoiser(model, weights, SCHEDULE.T);
  const drawn = await backend
    .sampleDdpm({ schedule: SCHEDULE, shape: [n, 2], seed: seeds[1], model: denoiser.model })
    .finally(() => denoiser.dispose());
  const samples = Float64Array.from(drawn.data);
  const data = toyDataset('two-moons', n, seeds[2]).data as Float64Array;
  return { kl: knnKlDivergence(data, samples, 2, 5), reverse: knnKlDivergence(samples, data, 2, 5), samples, data };
}

/**
 * A one-sided threshold on a training run's statistic, whose distribution over seeds on a correct backend (the
 * null) was measured on the float64 reference by bench/training-thresholds.ts. The decision is `value <
 * threshold`, made before the outcome is recorded (far out, the fit's tails underflow to 0). The declared
 * false-alarm rate is at least the Gaussian fit's tail beyond the threshold, the alpha of the recorded outcome.
 */
export interface ThresholdRun {
  threshold: number;
  /**
   * Mean and standard deviation of the statistic over `seeds` seeds on the reference backend, and its largest value.
   */
  null: { mean: number; sd: number; max: number; seeds: number };
  /** The statistic of a model that did not learn (untrained weights), smallest over as many seeds. */
  untrainedMin: number;
  falseAlarm: number;
}

/**
 * The L_simple run's threshold (`npx tsx bench/training-thresholds.ts loss --seeds 40`): trained 0.4326 +- 0.0051,
 * untrained 1.027 +- 0.014 (40 of 40 caught): 0.6 lies over 30 sd from both.
 */
export const PROBE_LOSS_RUN: ThresholdRun & { steps: number } = {
  steps: 300,
  threshold: 0.6,
  null: { mean: 0.4326, sd: 0.0051, max: 0.446, seeds: 40 },
  untrainedMin: 1.0078,
  falseAlarm: 1e-6,
};

/**
 * The end-to-end run's threshold (`npx tsx bench/training-thresholds.ts kl --seeds 40`): trained 0.888 +- 0.102
 * (max 1.131; tfjs:wasm over 8 seeds 0.918 +- 0.137), untrained 4.49 +- 0.20, samples of N(0, I) 1.70 +- 0.12. 1.4
 * lies 5.0 sd above the trained mean (the Gaussian fit's tail: 3e-7), 2.4 sd below N(0, I)'s mean (39 of 40 caught)
 * and 16 sd below the untrained mean (40 of 40 caught).
 */
export const E2E_RUN: ThresholdRun & { steps: number; batch: number; learningRate: number; samples: number } = {
  steps: 500,
  batch: 128,
  learningRate: 2e-2,
  samples: 400,
  threshold: 1.4,
  null: { mean: 0.888, sd: 0.102, max: 1.131, seeds: 40 },
  untrainedMin: 3.979,
  falseAlarm: 1e-6,
};

/**
 * The record of a threshold decision: p is the Gaussian fit's upper tail at the value, alpha its tail at the threshold.
 */
function thresholdOutcome(what: string, value: number, run: ThresholdRun): TestOutcome {
  const tail = (x: number) => normalCdf(-(x - run.null.mean) / run.null.sd);
  return {
    test: `${what} < ${run.threshold} (null over ${run.null.seeds} seeds: mean ${run.null.mean}, sd ${run.null.sd}, max ${run.null.max})`,
    statistic: value,
    pValue: tail(value),
    alpha: tail(run.threshold),
    n: run.null.seeds,
    detects: `a model that did not learn (untrained: ${run.untrainedMin} or more over ${run.null.seeds} seeds)`,
  };
}

export const trainingGroup = defineGroup(
  'training',
  'Training: model forward and backward, L_simple, timesteps and noise, Adam, EMA, learning',
  [
    {
      name: 'the forward pass equals the model definition (time channel, embedding, layers)',
      kind: 'exact',
      equation: 'simple-conv: conv(ReLU(conv(ReLU(conv([x | t/T]))))); mlp: dense(act(...dense([x | emb(t)])))',
      source: "the seed's SimpleDenoiseModel; Vaswani et al. 2017, sec. 3.5 (embedding)",
      requires: ['training'],
      async run(backend, ctx) {
        for (const [i, model] of MODELS.entries()) {
          const c = lossCase(model, ctx.subSeed(i), 3);
          const actual = await training(backend).predict({ model, weights: c.weights, x: c.x0, t: c.t, T: SCHEDULE.T });
          const expected = referencePredict(model, c.weights, c.x0, c.t, SCHEDULE.T);
          ctx.expectClose({
            what: `${model.architecture} output`,
            actual,
            expected: expected.value,
            scale: expected.scale,
            roundings: modelRoundings(model, ctx),
            shape: c.x0.shape,
          });
        }
      },
    },
    {
      name: 'GELU is the tanh form 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))), computed in 64-digit arithmetic',
      kind: 'property',
      equation:
        'mlp with one hidden unit, weights picking x and reading the unit: output = GELU(x) = 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))',
      source: 'Hendrycks & Gimpel 2016, sec. 2 (the tanh approximation, as used by DiT)',
      requires: ['training'],
      async run(backend, ctx) {
        // The forward-pass check compares with a reference that shares src/equations/activation.ts; this one does not.
        const model: MlpSpec = {
          architecture: 'mlp',
          dim: 1,
          hidden: 1,
          layers: 1,
          embeddingDim: 2,
          activation: 'gelu',
        };
        const weight = (shape: number[], ...v: number[]) => ({ shape, data: Float64Array.from(v) });
        const weights: Weights = {
          'layers.0.weight': weight([1, 3], 1, 0, 0),
          'layers.0.bias': weight([1], 0),
          'layers.1.weight': weight([1, 1], 1),
          'layers.1.bias': weight([1], 0),
        };
        const D = Decimal.clone({ precision: 64 });
        const sqrtTwoOverPi = new D(2).div(D.acos(-1)).sqrt();
        await fc.assert(
          fc.asyncProperty(
            fc.array(fc.double({ min: -8, max: 8, noNaN: true }), { minLength: 1, maxLength: 32 }),
            async (xs) => {
              const x = { shape: [xs.length, 1], data: Float64Array.from(xs) };
              const actual = await training(backend).predict({
                model,
                weights,
                x,
                t: new Int32Array(xs.length).fill(1),
                T: SCHEDULE.T,
              });
              const expected = xs.map((v) => {
                const d = new D(v);
                return d
                  .times(D.tanh(sqrtTwoOverPi.times(d.plus(d.pow(3).times('0.044715')))).plus(1))
                  .div(2)
                  .toNumber();
              });
              // The tanh argument carries about 6 roundings of its size a, which
              // move tanh by (1 - tanh^2) a; tanh and the rest add theirs.
              const scale = xs.map((v) => {
                const a = Math.sqrt(2 / Math.PI) * (v + 0.044715 * v ** 3);
                return Math.abs(v) * (1 + Math.abs(a) * (1 - Math.tanh(a) ** 2));
              });
              ctx.expectClose({
                what: 'GELU(x)',
                actual,
                expected,
                scale,
                roundings: modelRoundings(model, ctx) + 8,
                shape: [xs.length, 1],
              });
            },
          ),
          ctx.fastCheck(20),
        );
      },
    },
    {
      name: 'the trainer draws its timesteps from 1..T, with the draw sampleTimesteps reports',
      kind: 'exact',
      equation: 't in {1, ..., T} for every draw; step k of the trainer uses sampleTimesteps(n, T, seed, 2k)',
      source: 'Ho et al. 2020, Algorithm 1, line 3 (t counts from 1)',
      requires: ['training'],
      async run(backend, ctx) {
        // 5000 draws: an off-by-one sampler (0..T-1) shows a 0 with
        // probability 1 - (1 - 1/T)^5000 > 1 - 1e-21 at T = 100.
        const draws = await training(backend).sampleTimesteps(5000, SCHEDULE.T, ctx.subSeed(0), 1);
        draws.forEach((ti, i) => {
          if (!(Number.isInteger(ti) && ti >= 1 && ti <= SCHEDULE.T))
            ctx.fail(`t[${i}] = ${ti} is outside 1..${SCHEDULE.T}`);
        });
        const model = SMALL_MLP;
        const trainer = await freshTrainer(backend, model, ctx.subSeed(1), {
          adam: DEFAULT_ADAM,
          seed: ctx.subSeed(2),
        });
        try {
          const step = await trainer.step(toyDataset('two-moons', 64, ctx.subSeed(3)));
          const expected = await training(backend).sampleTimesteps(64, SCHEDULE.T, ctx.subSeed(2), 2);
          if (!step.t.every((ti, i) => ti === expected[i]))
            ctx.fail(
              `the trainer's first step used t = [${step.t.slice(0, 5).join(', ')}...], sampleTimesteps gives [${expected.slice(0, 5).join(', ')}...]`,
            );
        } finally {
          trainer.dispose();
        }
      },
    },
    {
      name: 'one Adam step equals the textbook update on a hand-computed example',
      kind: 'exact',
      equation:
        'm = b1 m + (1 - b1) g; v = b2 v + (1 - b2) g^2; theta -= lr (m / (1 - b1^k)) / (sqrt(v / (1 - b2^k)) + eps)',
      source: 'Kingma & Ba 2015, Algorithm 1',
      requires: ['training'],
      async run(backend, ctx) {
        // k = 3, lr = 0.1, b1 = 0.9, b2 = 0.999, eps = 1e-8: 1 - b1^3 = 0.271, 1 - b2^3 = 0.002997001.
        // theta[0]: m = 0.09 + 0.05 = 0.14, v = 0.00999 + 0.00025 = 0.01024, m^ =
        // 0.5166051660516605, v^ = 3.416748943360379,   theta = 1 - 0.1 m^ / (sqrt(v^) +
        // 1e-8) = 0.9720519051775128; the others likewise (40-digit decimal arithmetic).
        const tensor = (...v: number[]) => ({ shape: [3], data: Float64Array.from(v) });
        const result = await training(backend).adamStep({
          param: tensor(1, -2, 0.5),
          grad: tensor(0.5, -0.25, 0),
          m: tensor(0.1, 0, -0.2),
          v: tensor(0.01, 0, 0.04),
          step: 3,
          hyper: { learningRate: 0.1, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 },
        });
        const roundings = 16;
        ctx.expectClose({
          what: 'm',
          actual: result.m,
          expected: [0.14, -0.025, -0.18],
          scale: [0.14, 0.025, 0.18],
          roundings,
          shape: [3],
        });
        ctx.expectClose({
          what: 'v',
          actual: result.v,
          expected: [0.01024, 0.0000625, 0.03996],
          scale: [0.01024, 0.0000625, 0.03996],
          roundings,
          shape: [3],
        });
        ctx.expectClose({
          what: 'theta',
          actual: result.param,
          expected: [0.9720519051775128, -1.936118644483766, 0.5181900510201205],
          scale: [1.03, 2.01, 0.52],
          roundings,
          shape: [3],
        });
      },
    },
    {
      name: 'a trainer step is L_simple gradient, clipping, Adam and EMA on the draws it reports',
      kind: 'exact',
      equation:
        'theta_1 = Adam(theta_0, g min(1, c / ||g||)), g = dL_simple/dtheta at (x_0, t, eps); ema_1 = d_1 theta_0 + (1 - d_1) theta_1, d_1 = min(d, 2/11); first Adam step moves each weight by lr g / (|g| + eps)',
      source:
        'Ho et al. 2020, Algorithm 1 and appendix B; Kingma & Ba 2015, Algorithm 1; Pascanu et al. 2013, Algorithm 2',
      requires: ['training'],
      async run(backend, ctx) {
        const model = SMALL_MLP;
        const params = initialWeights(model, ctx.subSeed(0));
        const x0 = toyDataset('gaussian-mixture', 32, ctx.subSeed(2));
        // epsilon near the gradients' size, so that the first Adam step depends on the gradient's scale (with a tiny
        // epsilon it is lr sign(g), blind to clipping).
        const adam = { ...DEFAULT_ADAM, learningRate: 1e-3, epsilon: 1e-2 };
        /** One step with the limit clipGradNorm, always with the same draws (the seed fixes them); returns ||g||. */
        const stepWithLimit = async (clipGradNorm: number) => {
          const options = { adam, seed: ctx.subSeed(1), emaDecay: 0.9, clipGradNorm };
          const trainer = await training(backend).createTrainer(
            model,
            SCHEDULE,
            { step: 0, params, m: zerosLike(params), v: zerosLike(params) },
            options,
          );
          try {
            const step = await trainer.step(x0);
            const state = await trainer.state();
            const { gradients } = await training(backend).lossAndGradients({
              model,
              weights: params,
              schedule: SCHEDULE,
              x0,
              t: step.t,
              noise: step.noise,
            });
            const gradNorm = Math.sqrt(
              Object.values(gradients).reduce(
                (s, g) => s + Float64Array.from(g.data).reduce((a, x) => a + x * x, 0),
                0,
              ),
            );
            ctx.expectClose({
              what: 'gradient norm',
              actual: { shape: [1], data: Float64Array.of(step.gradNorm) },
              expected: [gradNorm],
              scale: [gradNorm],
              roundings: 2 * modelRoundings(model, ctx),
            });
            const scale = Math.min(1, options.clipGradNorm / gradNorm);
            // Step 1's EMA decay is min(0.9, 2 / 11) = 2 / 11 (the warm-up of src/equations/ema.ts).
            const decay = { ema: 2 / 11, param: 9 / 11 };
            for (const [name, p] of Object.entries(params)) {
              const g = gradients[name].data.map((x) => x * scale);
              // First bias-corrected step: m^ = g, v^ = g^2, so theta_1 = theta_0 - lr g / (|g| + eps).
              const expected = p.data.map((x, i) => x - (adam.learningRate * g[i]) / (Math.abs(g[i]) + adam.epsilon));
              const magnitude = p.data.map((x) => Math.abs(x) + adam.learningRate);
              const what = `theta_1 ${name} (clipGradNorm ${options.clipGradNorm.toPrecision(3)}, ||g|| ${gradNorm.toPrecision(3)})`;
              ctx.expectClose({
                what,
                actual: state.params[name],
                expected,
                scale: magnitude,
                roundings: 16 + 2 * modelRoundings(model, ctx),
                shape: p.shape,
              });
              const ema = p.data.map((x, i) => decay.ema * x + decay.param * expected[i]);
              ctx.expectClose({
                what: `ema_1 ${name}`,
                actual: state.ema?.[name],
                expected: ema,
                scale: magnitude,
                roundings: 20 + 2 * modelRoundings(model, ctx),
                shape: p.shape,
              });
            }
            if (state.step !== 1) ctx.fail(`state.step is ${state.step} after one step`);
            return gradNorm;
          } finally {
            trainer.dispose();
          }
        };
        // A limit below the gradient's norm scales it down to the limit; one above leaves it as it is.
        const limit = 1e-3;
        const norm = await stepWithLimit(limit);
        if (!(norm > limit)) ctx.fail(`||g|| = ${norm} does not exceed the limit ${limit}: the step was not clipped`);
        await stepWithLimit(4 * norm);
      },
    },
    {
      name: 'L_simple has one value per sample, the mean squared noise-prediction error, and the loss is their mean',
      kind: 'exact',
      equation: 'L_n = mean_i (eps_n,i - eps_theta(sqrt(ab_t) x_0 + sqrt(1 - ab_t) eps, t)_n,i)^2, L = mean_n L_n',
      source: 'Ho et al. 2020, eq. 14',
      requires: ['training'],
      async run(backend, ctx) {
        for (const [i, model] of MODELS.entries()) {
          const c = lossCase(model, ctx.subSeed(200 + i), 4);
          const result = await caseGradients(backend, model, c);
          const expected = referenceLoss(model, c.weights, SCHEDULE, c.x0, c.t, c.noise);
          const m = c.x0.data.length / 4;
          const roundings = 2 * modelRoundings(model, ctx) + meanSquaredErrorRoundings(m);
          ctx.expectClose({
            what: `${model.architecture} per-sample loss`,
            actual: result.perSample,
            expected: expected.perSample,
            scale: expected.scale,
            roundings,
            shape: [4],
          });
          const meanScale = expected.scale.reduce((a, b) => a + b, 0) / 4;
          ctx.expectClose({
            what: `${model.architecture} loss`,
            actual: { shape: [1], data: Float64Array.of(result.loss) },
            expected: [expected.loss],
            scale: [meanScale],
            roundings: roundings + 4,
          });
        }
      },
    },
    {
      name: 'every parameter gradient equals central finite differences of L_simple',
      kind: 'property',
      equation:
        'dL/dw . v = (L(w + h v) - L(w - h v)) / 2h + O(h^2), for a random unit direction v and single coordinates of each tensor',
      source: 'Ho et al. 2020, eq. 14 (the loss differentiated); central differences as in every gradient check',
      requires: ['training'],
      async run(backend, ctx) {
        for (const [i, model] of MODELS.entries()) {
          const c = lossCase(model, ctx.subSeed(100 + i), 2);
          const { gradients } = await caseGradients(backend, model, c);
          const bound = FINITE_DIFFERENCE.relative + 2 * relativeBound(modelRoundings(model, ctx), ctx.precision);
          for (const [j, p] of architectureOf(model).parameters(model).entries()) {
            const g = Float64Array.from(ctx.expectShape(`d L / d ${p.name}`, gradients[p.name], p.shape).data);
            const size = g.length;
            let norm = 0;
            let largest = 0;
            for (const x of g) {
              norm += x * x;
              largest = Math.max(largest, Math.abs(x));
            }
            norm = Math.sqrt(norm);
            let checked = 0;
            for (let attempt = 0; attempt < 10 && checked < 1; attempt++) {
              const v = gaussianValues(ctx.subSeed(1000 * i + j), attempt, size);
              const length = Math.hypot(...v);
              v.forEach((x, k) => (v[k] = x / length));
              const fd = centralDifference(model, c, p.name, v);
              if (fd === undefined) continue;
              checked++;
              const dot = g.reduce((s, x, k) => s + x * v[k], 0);
              if (!(Math.abs(dot - fd) <= bound * norm + 1e-300))
                ctx.fail(
                  `${model.architecture} ${p.name}: directional derivative ${dot} but central difference ${fd} (bound ${(bound * norm).toExponential(2)})`,
                );
            }
            const coordinates = uniformValues(ctx.subSeed(1000 * i + j), 99, 10).map((u) => Math.floor(u * size));
            for (const k of coordinates) {
              if (checked >= 1 + COORDINATES_PER_TENSOR) break;
              const fd = centralDifference(
                model,
                c,
                p.name,
                Float64Array.from({ length: size }, (_, q) => (q === k ? 1 : 0)),
              );
              if (fd === undefined) continue;
              checked++;
              if (!(Math.abs(g[k] - fd) <= bound * largest + 1e-300))
                ctx.fail(
                  `${model.architecture} ${p.name}[${k}]: gradient ${g[k]} but central difference ${fd} (bound ${(bound * largest).toExponential(2)})`,
                );
            }
            if (checked < 1 + COORDINATES_PER_TENSOR)
              ctx.fail(`${model.architecture} ${p.name}: only ${checked} finite differences avoided ReLU kinks`);
          }
        }
      },
    },
    {
      name: 'the trainer draws t uniformly from 1..T',
      kind: 'statistical',
      equation: 't ~ Uniform({1, ..., T})',
      source: 'Ho et al. 2020, Algorithm 1, line 3',
      requires: ['training'],
      falseAlarm: 5e-5,
      async run(backend, ctx) {
        const T = 20;
        const t = await training(backend).sampleTimesteps(20000, T, ctx.subSeed(0), 5);
        const counts = new Float64Array(T + 1);
        for (const ti of t) counts[Math.min(T, Math.max(0, ti))]++;
        // Cell 0 collects draws below 1: under H0 it is empty, and a sampler of 0..T-1 fails the fit of 1..T.
        if (counts[0] > 0) ctx.fail(`${counts[0]} draws are below 1`);
        ctx.statistic(chiSquareUniformTest(counts.subarray(1), 5e-5));
      },
    },
    {
      name: 'the noise in the loss is independent of x_0 and across the batch',
      kind: 'statistical',
      equation: 'eps ~ N(0, I) independent of x_0; eps_n independent of eps_m for n != m',
      source: 'Ho et al. 2020, Algorithm 1, line 4',
      requires: ['training'],
      falseAlarm: 6e-5,
      async run(backend, ctx) {
        const model = SMALL_MLP;
        const trainer = await freshTrainer(backend, model, ctx.subSeed(0), {
          adam: DEFAULT_ADAM,
          seed: ctx.subSeed(1),
        });
        const x0s: number[] = [];
        const noises: number[] = [];
        const first: number[] = [];
        const second: number[] = [];
        const stepFirst: number[] = [];
        const stepNext: number[] = [];
        try {
          let previous: Float64Array | undefined;
          for (let k = 0; k < 8; k++) {
            const x0 = toyDataset('swiss-roll', 512, ctx.subSeed(10 + k));
            const { noise } = await trainer.step(x0);
            const e = Float64Array.from(noise.data);
            x0s.push(...x0.data);
            noises.push(...e);
            for (let b = 0; b + 1 < 512; b += 2)
              for (let c = 0; c < 2; c++) {
                first.push(e[2 * b + c]);
                second.push(e[2 * (b + 1) + c]);
              }
            if (previous)
              for (let i = 0; i < e.length; i++) {
                stepFirst.push(previous[i]);
                stepNext.push(e[i]);
              }
            previous = e;
          }
        } finally {
          trainer.dispose();
        }
        // Each test detects a linear dependence (a correlation); a nonlinear dependence with zero correlation passes.
        ctx.statistic(zeroCorrelationTest(x0s, noises, 2e-5));
        ctx.statistic(zeroCorrelationTest(first, second, 2e-5));
        ctx.statistic(zeroCorrelationTest(stepFirst, stepNext, 2e-5));
      },
    },
    {
      name: 'bad inputs to the training operations are rejected, naming the field',
      kind: 'exact',
      equation:
        'missing or misshapen weights, items of the wrong shape, t outside 1..T, mismatched Adam state, beta1 >= 1: DiffspecInputError(field)',
      source: 'the contract of src/contract/training.ts',
      requires: ['training'],
      async run(backend, ctx) {
        const tr = training(backend);
        const c = lossCase(SMALL_MLP, ctx.subSeed(0), 2);
        const { 'layers.0.bias': _dropped, ...missing } = c.weights;
        const three = { shape: [3], data: new Float64Array(3) };
        const cases: [string, () => Promise<unknown>][] = [
          [
            'weights.layers.0.bias',
            () =>
              tr.lossAndGradients({
                model: SMALL_MLP,
                weights: missing,
                schedule: SCHEDULE,
                x0: c.x0,
                t: c.t,
                noise: c.noise,
              }),
          ],
          [
            'x.shape',
            () =>
              tr.predict({
                model: SMALL_MLP,
                weights: c.weights,
                x: { shape: [2, 3], data: new Float64Array(6) },
                t: c.t,
                T: SCHEDULE.T,
              }),
          ],
          [
            't[1]',
            () =>
              tr.lossAndGradients({
                model: SMALL_MLP,
                weights: c.weights,
                schedule: SCHEDULE,
                x0: c.x0,
                t: [1, SCHEDULE.T + 1],
                noise: c.noise,
              }),
          ],
          [
            'grad.shape',
            () =>
              tr.adamStep({
                param: three,
                grad: { shape: [2], data: new Float64Array(2) },
                m: three,
                v: three,
                step: 1,
                hyper: DEFAULT_ADAM,
              }),
          ],
          [
            'options.adam.beta1',
            () => freshTrainer(backend, SMALL_MLP, 1, { adam: { ...DEFAULT_ADAM, beta1: 1 }, seed: 1 }),
          ],
        ];
        for (const [field, call] of cases) {
          const error = await call().then(
            () => undefined,
            (e: unknown) => e,
          );
          if (!(error instanceof DiffspecInputError && error.field === field))
            ctx.fail(
              `expected a DiffspecInputError naming ${field}, got ${error === undefined ? 'a result' : String(error)}`,
            );
        }
      },
    },
    {
      name: `training lowers L_simple below ${PROBE_LOSS_RUN.threshold} on a fixed toy set in ${PROBE_LOSS_RUN.steps} steps`,
      kind: 'statistical',
      equation: `L_simple(theta_${PROBE_LOSS_RUN.steps}) < ${PROBE_LOSS_RUN.threshold} on a fixed probe (x_0, t, eps), from about 1 at initialisation`,
      source: 'Ho et al. 2020, Algorithm 1',
      requires: ['training'],
      falseAlarm: PROBE_LOSS_RUN.falseAlarm,
      async run(backend, ctx) {
        const curve: [number, number][] = [];
        const { before, after } = await probeLossAfterTraining(backend, ctx.subSeed(0), PROBE_LOSS_RUN.steps, curve);
        ctx.figureCurve('training loss, mlp on two moons', 'step', 'batch L_simple', curve);
        ctx.note(
          `L_simple on the probe: ${before.toFixed(4)} at initialisation, ${after.toFixed(4)} after ${PROBE_LOSS_RUN.steps} steps`,
        );
        if (!(after < PROBE_LOSS_RUN.threshold))
          ctx.fail(
            `L_simple is ${after} after ${PROBE_LOSS_RUN.steps} steps (${before} at initialisation), expected below ${PROBE_LOSS_RUN.threshold}`,
          );
        ctx.statistic(thresholdOutcome('L_simple on the probe after training', after, PROBE_LOSS_RUN));
      },
    },
    {
      name: `DDPM samples of an MLP trained on two moons match the data: k-NN KL estimate (k = 5) below ${E2E_RUN.threshold}`,
      kind: 'statistical',
      equation: `KL^(data || samples) = (d / n) sum_i ln(nu_5(i) / rho_5(i)) + ln(m / (n - 1)) < ${E2E_RUN.threshold} (N(0, I) scores 1.5-1.8, an untrained MLP about 4.5)`,
      source: 'Ho et al. 2020, Algorithms 1 and 2; Wang, Kulkarni & Verdu 2009, eq. 5',
      requires: ['training', 'sampling'],
      falseAlarm: E2E_RUN.falseAlarm,
      async run(backend, ctx) {
        const { kl, reverse, samples, data } = await endToEndKl(
          backend,
          [ctx.subSeed(0), ctx.subSeed(1), ctx.subSeed(2)],
          E2E_RUN.steps,
        );
        const points = (a: ArrayLike<number>) =>
          Array.from({ length: a.length / 2 }, (_, i): [number, number] => [a[2 * i], a[2 * i + 1]]);
        ctx.figureSamples2d('DDPM samples of the trained MLP vs two moons', points(samples), points(data));
        ctx.note(
          `k-NN KL (k = 5, ${E2E_RUN.samples} points each) after ${E2E_RUN.steps} steps: KL(data || samples) = ${kl.toFixed(3)}, KL(samples || data) = ${reverse.toFixed(3)}`,
        );
        if (!(kl < E2E_RUN.threshold))
          ctx.fail(
            `KL(data || samples) = ${kl} (KL(samples || data) = ${reverse}), expected below ${E2E_RUN.threshold}`,
          );
        ctx.statistic(thresholdOutcome('k-NN KL(data || samples)', kl, E2E_RUN));
      },
    },
  ],
);
