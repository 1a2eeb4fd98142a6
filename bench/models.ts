// The seed's comparison table, measured: simple-conv, unet, unet-attn and dit at matched parameter counts
// (bench/models-matched.ts) on 16 x 16 Fashion-MNIST, the three newer ones class-conditional with classifier-free
// guidance. Two kinds of rows, stored per model (bench/models-results.ts) and rendered into docs/architectures.md:
// - trained rows (expensive): training on the main backend, held-out L_simple, the variational bound in bits/dim
//   (src/evaluation/bits-per-dim.ts) and a guided sample grid (docs/architectures/<model>.png);
// - timing rows (cheap): parameters, forward FLOPs, training-step time and DDIM sampling throughput on every backend
//   that declares the 'architectures' capability, and the growth of step time with resolution and width as
//   log-log slopes over repeated sweeps.
// Options: --timings-only (re-measure the timing rows, keep the stored trained rows; with --backends a,b only those
// backends' rows, keeping the others'), --trained-only, --report-only
// (render the stored rows) and --models a,b (a subset). BENCH_STEPS overrides the training budget (for a quick try;
// the stored rows say so).
import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import '../backends/index.js';
import { cpuArchitectureKernels } from '../backends/cpu/architecture.js';
import { cpuKernels } from '../backends/cpu/kernels.js';
import { cpuTrainingKernels } from '../backends/cpu/training.js';
import type { DenoiserModel, DiffusionBackend } from '../src/contract/backend.js';
import { registeredBackends, resolveBackend } from '../src/contract/registry.js';
import type { TrainerState, TrainingBackend, Weights } from '../src/contract/training.js';
import { loadFashionMnist } from '../src/data/fashion-mnist.js';
import { imageGridPng } from '../src/data/images.js';
import { DEFAULT_ADAM } from '../src/equations/adam.js';
import { respacedTimesteps } from '../src/equations/ddim.js';
import { closedFormCoefficients } from '../src/equations/forward.js';
import type { VarianceType } from '../src/equations/variance.js';
import { bitsPerDim } from '../src/evaluation/bits-per-dim.js';
import { writeFileAtomic } from '../src/io/atomic.js';
import { guidedDenoiser } from '../src/models/guided.js';
import { initialWeights, zerosLike } from '../src/models/init.js';
import { architectureOf, type ModelSpec } from '../src/models/spec.js';
import { decodeWeights, encodeWeights } from '../src/models/weights.js';
import { packageRoot } from '../src/paths.js';
import { composeBackend } from '../src/pipeline/compose.js';
import { gaussianTensor } from '../src/random/gaussian.js';
import { uniformValues } from '../src/random/uniform.js';
import { SEED_SCHEDULE } from '../src/schedule/spec.js';
import { noiseLevel, scheduleTables } from '../src/schedule/tables.js';
import type { Tensor } from '../src/tensor.js';
import { sampleBatch, sampleLabels } from '../src/training/batches.js';
import { matchedModels, parameterCount } from './models-matched.js';
import { renderArchitecturesReport } from './models-report.js';
import {
  type BenchSettings,
  type Exponent,
  loadResults,
  type ModelResults,
  RESULTS_DIR,
  type Seconds,
  type Spread,
  storeResults,
  type TimedSpread,
  type TimingRows,
  type TrainedRows,
  type TrainingRecipe,
} from './models-results.js';

const SCHEDULE = scheduleTables(SEED_SCHEDULE);
/** Fashion-MNIST's classes; the null class of guidance is label CLASSES. */
const CLASSES = 10;
/** The backend that trains and evaluates every model, and times the scaling sweeps (the fastest here). */
const MAIN = 'tfjs:wasm';
const RECIPE: TrainingRecipe = {
  backend: MAIN,
  size: 16,
  steps: Number(process.env.BENCH_STEPS ?? 600),
  batch: 32,
  learningRate: 2e-3,
  emaDecay: 0.995,
  clipGradNorm: 1,
  pUncond: 0.1,
  seed: 1,
};
const MODELS = matchedModels(RECIPE.size, CLASSES);
/** Held-out images of L_simple and of the bound (the bound costs T forward passes of its batch). */
const HELD_OUT = 256;
const BOUND_IMAGES = 32;
/** The sample grid: two images per class, guided with this w, by ancestral (DDPM) sampling over all T steps. */
const GUIDANCE = 3;
const GRID_PER_CLASS = 2;
/** Timing rows: the training-step batch, the DDIM throughput run, and the repetitions after one warm-up. */
const STEP_BATCH = 16;
const THROUGHPUT = { samples: 8, steps: 10 };
const TIMING = { minRepeats: 3, maxRepeats: 7, budgetSeconds: 10 };
/** Scaling sweeps: each sweep times one step at every resolution (or width factor) in turn. */
const SCALING = { batch: 8, sweeps: 5, resolutions: [16, 32, 64], widths: [1, 2, 4] };

const SETTINGS: BenchSettings = {
  stepBatch: STEP_BATCH,
  throughput: THROUGHPUT,
  scaling: SCALING,
  heldOut: HELD_OUT,
  boundImages: BOUND_IMAGES,
  guidance: GUIDANCE,
  gridPerClass: GRID_PER_CLASS,
};

const isConditional = (model: ModelSpec) => 'classes' in model && model.classes > 0;
const nullLabels = (n: number) => new Int32Array(n).fill(CLASSES);
/** The labels a timing step or sample uses: classes in turn for a class-conditional model, none otherwise. */
const timingLabels = (model: ModelSpec, n: number) =>
  isConditional(model) ? Int32Array.from({ length: n }, (_, i) => i % CLASSES) : undefined;
const cpuSeconds = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};
/** Wall and CPU seconds since a mark. */
const clock = (): (() => Seconds) => {
  const [wall, cpu] = [performance.now(), cpuSeconds()];
  return () => ({ wall: (performance.now() - wall) / 1000, cpu: cpuSeconds() - cpu });
};

/** A model at another resolution and width factor (for the scaling exponents). */
function scaled(model: ModelSpec, size: number, width: number): ModelSpec {
  const resized = { ...model, height: size, width: size } as ModelSpec;
  if (resized.architecture === 'unet' || resized.architecture === 'unet-attn')
    return { ...resized, baseChannels: resized.baseChannels * width };
  if (resized.architecture === 'dit') return { ...resized, hidden: resized.hidden * width };
  return resized;
}

/** The registered backends (or those named) that declare the 'architectures' capability; the others with the reason. */
async function architectureBackends(only?: readonly string[]): Promise<{
  backends: Record<string, DiffusionBackend>;
  skipped: Record<string, string>;
}> {
  const backends: Record<string, DiffusionBackend> = {};
  const skipped: Record<string, string> = {};
  const names = registeredBackends().map((b) => b.name);
  const unknown = only?.find((n) => !names.includes(n));
  if (unknown) throw new Error(`--backends: unknown backend ${unknown}; backends: ${names.join(', ')}`);
  for (const name of names.filter((n) => !only || only.includes(n))) {
    const r = await resolveBackend(name);
    if ('skipped' in r) skipped[name] = r.skipped;
    else if (r.backend.capabilities.includes('architectures') && r.backend.training) backends[name] = r.backend;
    else {
      skipped[name] = "lacks the 'architectures' capability";
      await r.backend.dispose?.();
    }
  }
  if (!backends[MAIN] && (!only || only.includes(MAIN)))
    throw new Error(`${MAIN} (the main backend) cannot run here: ${skipped[MAIN]}`);
  return { backends, skipped };
}

/** Forward FLOPs of one image (2 per multiply-add of every convolution, dense layer and matrix product). */
async function forwardFlops(model: ModelSpec): Promise<number> {
  let flops = 0;
  const conv = (_x: Tensor, w: Tensor, y: Tensor) =>
    (flops += 2 * y.data.length * w.shape[1] * w.shape[2] * w.shape[3]);
  const counting = composeBackend({
    ...cpuKernels,
    name: 'flop-counter',
    training: {
      ...cpuTrainingKernels,
      conv2d: (x, w, b, p) => {
        const y = cpuTrainingKernels.conv2d(x, w, b, p);
        conv(x, w, y);
        return y;
      },
      dense: (x, w, b) => {
        flops += 2 * x.shape[0] * w.shape[0] * w.shape[1];
        return cpuTrainingKernels.dense(x, w, b);
      },
      architecture: {
        ...cpuArchitectureKernels,
        stridedConv2d: (x, w, b, p, s) => {
          const y = cpuArchitectureKernels.stridedConv2d(x, w, b, p, s);
          conv(x, w, y);
          return y;
        },
        batchMatMul: (a, b, ta, tb) => {
          const y = cpuArchitectureKernels.batchMatMul(a, b, ta, tb);
          flops += 2 * y.data.length * (ta ? a.shape[1] : a.shape[2]);
          return y;
        },
      },
    },
  });
  const x = gaussianTensor([1, ...architectureOf(model).itemShape(model)], 1, 0);
  const t = Int32Array.of(1);
  await counting.training!.predict({ model, weights: initialWeights(model, 1), x, t, T: SCHEDULE.T });
  return flops;
}

function freshState(model: ModelSpec): TrainerState {
  const params = initialWeights(model, RECIPE.seed);
  return { step: 0, params, m: zerosLike(params), v: zerosLike(params), ema: params };
}

function trainer(training: TrainingBackend, model: ModelSpec, state = freshState(model)) {
  return training.createTrainer(model, SCHEDULE, state, {
    adam: { ...DEFAULT_ADAM, learningRate: RECIPE.learningRate },
    seed: RECIPE.seed,
    clipGradNorm: RECIPE.clipGradNorm,
    emaDecay: RECIPE.emaDecay,
    ...(isConditional(model) && { pUncond: RECIPE.pUncond }),
  });
}

const spreadOf = (values: number[]): Spread => {
  const sorted = [...values].sort((a, b) => a - b);
  return { median: sorted[Math.floor(sorted.length / 2)], min: sorted[0], max: sorted.at(-1)!, repeats: values.length };
};

/** Wall and CPU seconds of one call of `run`. */
async function timed(run: () => unknown): Promise<Seconds> {
  const elapsed = clock();
  await run();
  return elapsed();
}

/** Medians and ranges of wall and CPU times, scaled by `f` (e.g. seconds -> ms). */
const spreads = (times: Seconds[], f: (s: number) => number): TimedSpread => ({
  wall: spreadOf(times.map((t) => f(t.wall))),
  cpu: spreadOf(times.map((t) => f(t.cpu))),
});

/**
 * Times of `run` after a warm-up (by default one run): at least minRepeats times, then until maxRepeats or the
 * (wall) time budget.
 */
async function repeatedTimes(run: () => unknown, warmUp = run): Promise<Seconds[]> {
  await warmUp();
  const times: Seconds[] = [];
  const started = performance.now();
  while (
    times.length < TIMING.minRepeats ||
    (times.length < TIMING.maxRepeats && performance.now() - started < 1000 * TIMING.budgetSeconds)
  )
    times.push(await timed(run));
  return times;
}

/** Training-step milliseconds on a fixed batch. */
async function stepMs(training: TrainingBackend, model: ModelSpec): Promise<TimedSpread> {
  const t = await trainer(training, model);
  try {
    const x0 = gaussianTensor([STEP_BATCH, ...architectureOf(model).itemShape(model)], 2, 0);
    const labels = timingLabels(model, STEP_BATCH);
    return spreads(await repeatedTimes(() => t.step(x0, labels)), (s) => 1000 * s);
  } finally {
    t.dispose();
  }
}

/** DDIM samples per second (the initial weights: the cost does not depend on their values). */
async function samplesPerSecond(backend: DiffusionBackend, model: ModelSpec): Promise<TimedSpread> {
  const { samples, steps } = THROUGHPUT;
  const weights = initialWeights(model, RECIPE.seed);
  const denoiser = await backend.training!.denoiser(model, weights, SCHEDULE.T, timingLabels(model, samples));
  try {
    const timesteps = respacedTimesteps(SCHEDULE.T, steps);
    const shape = [samples, ...architectureOf(model).itemShape(model)];
    const run = () => backend.sampleDdim({ schedule: SCHEDULE, shape, model: denoiser.model, seed: 3, timesteps });
    // The warm-up is one model call: a whole run costs much on the slow backends.
    const warmUp = () => denoiser.model(gaussianTensor(shape, 4, 0), new Int32Array(samples).fill(SCHEDULE.T));
    return spreads(await repeatedTimes(run, warmUp), (s) => samples / s);
  } finally {
    denoiser.dispose();
  }
}

/** Least-squares slope of log y against log x. */
function slope(xs: number[], ys: number[]): number {
  const [lx, ly] = [xs.map(Math.log), ys.map(Math.log)];
  const [mx, my] = [lx.reduce((a, b) => a + b) / lx.length, ly.reduce((a, b) => a + b) / ly.length];
  return lx.reduce((s, x, i) => s + (x - mx) * (ly[i] - my), 0) / lx.reduce((s, x) => s + (x - mx) ** 2, 0);
}

/**
 * The exponent a of step time ~ x^a over the models `at(x)`: after one warm-up step each, `sweeps` sweeps time one
 * step of every model in turn (so that a change of the machine's load reaches all of them alike); the slope of
 * the per-x median CPU times (the processes are single-threaded, and CPU time is far less disturbed by other
 * processes than wall time), the median and range of the per-sweep slopes, and the slope of the wall-time medians.
 */
async function exponent(training: TrainingBackend, xs: number[], at: (x: number) => ModelSpec): Promise<Exponent> {
  const runs = [];
  try {
    for (const x of xs) {
      const model = at(x);
      const t = await trainer(training, model);
      runs.push({ t, x0: gaussianTensor([SCALING.batch, ...architectureOf(model).itemShape(model)], 2, 0), model });
      await t.step(runs.at(-1)!.x0, timingLabels(model, SCALING.batch));
    }
    const times = xs.map(() => [] as Seconds[]);
    for (let s = 0; s < SCALING.sweeps; s++)
      for (const [i, { t, x0, model }] of runs.entries())
        times[i].push(await timed(() => t.step(x0, timingLabels(model, SCALING.batch))));
    const medians = (kind: keyof Seconds) => times.map((ts) => spreadOf(ts.map((t) => t[kind])).median);
    const sweepSlopes = Array.from({ length: SCALING.sweeps }, (_, s) =>
      slope(
        xs,
        times.map((ts) => ts[s].cpu),
      ),
    );
    return {
      ofMedians: slope(xs, medians('cpu')),
      wallOfMedians: slope(xs, medians('wall')),
      sweeps: spreadOf(sweepSlopes),
      points: xs.map((x, i) => ({ x, cpuSeconds: medians('cpu')[i], wallSeconds: medians('wall')[i] })),
    };
  } finally {
    for (const { t } of runs) t.dispose();
  }
}

async function timingRows(
  backends: Record<string, DiffusionBackend>,
  skipped: Record<string, string>,
  model: ModelSpec,
  log: (s: string) => void,
  /** The stored rows that the backends measured now update (--backends): the others and, without MAIN, the exponents. */
  previous?: TimingRows,
): Promise<TimingRows> {
  const elapsed = clock();
  const perBackend: TimingRows['backends'] = { ...previous?.backends };
  for (const [name, backend] of Object.entries(backends)) {
    perBackend[name] = {
      stepMs: await stepMs(backend.training!, model),
      samplesPerSecond: await samplesPerSecond(backend, model),
    };
    log(`${name}: step ${perBackend[name].stepMs.cpu.median.toFixed(0)} ms CPU`);
  }
  const exponents = backends[MAIN] ? await scalingExponents(backends[MAIN].training!, model) : previous;
  if (!exponents)
    throw new Error(`--backends: without ${MAIN} the exponents need stored timing rows; none for this model`);
  const { resolutionExponent, widthExponent } = exponents;
  const stillSkipped = Object.entries({ ...previous?.skipped, ...skipped }).filter(([name]) => !perBackend[name]);
  return {
    model,
    parameters: parameterCount(model),
    forwardFlops: await forwardFlops(model),
    backends: perBackend,
    skipped: Object.fromEntries(stillSkipped),
    scalingBackend: MAIN,
    resolutionExponent,
    ...(widthExponent && { widthExponent }),
    // With --backends, the time of the runs that measured the rows kept is added.
    totalSeconds: sumSeconds(elapsed(), previous?.totalSeconds),
  };
}

const sumSeconds = (a: Seconds, b?: Seconds): Seconds => (b ? { wall: a.wall + b.wall, cpu: a.cpu + b.cpu } : a);

/** The growth of step time with resolution and with width, on `training` (MAIN's). */
async function scalingExponents(training: TrainingBackend, model: ModelSpec) {
  const resolutionExponent = await exponent(training, SCALING.resolutions, (s) => scaled(model, s, 1));
  // simple-conv's width is fixed (64, the seed's): no width exponent.
  const widthExponent =
    model.architecture === 'simple-conv'
      ? undefined
      : await exponent(training, SCALING.widths, (w) => scaled(model, RECIPE.size, w));
  return { resolutionExponent, widthExponent };
}

/** Mean L_simple over held-out images at fixed t and noise. */
async function heldOutLoss(model: DenoiserModel, x0: Tensor): Promise<number> {
  const n = x0.shape[0];
  const t = Int32Array.from(uniformValues(7, 0, n), (u) => 1 + Math.floor(u * SCHEDULE.T));
  const noise = gaussianTensor(x0.shape, 7, 1);
  const m = x0.data.length / n;
  const xt = {
    shape: x0.shape,
    data: Float64Array.from(x0.data, (v, i) => {
      const c = closedFormCoefficients(noiseLevel(SCHEDULE, t[Math.floor(i / m)]));
      return c.signal * v + c.noise * noise.data[i];
    }),
  };
  const out = await model(xt, t);
  let sum = 0;
  out.data.forEach((v, i) => (sum += (v - noise.data[i]) ** 2));
  return sum / out.data.length;
}

/** Images on the 256 levels -1 + 2k/255 (the resampled 16 x 16 images lie between them). */
const quantised = (x: Tensor): Tensor => ({
  shape: x.shape,
  data: Float64Array.from(x.data, (v) => -1 + (2 * Math.round(((v + 1) * 255) / 2)) / 255),
});

const subset = (x: Tensor, n: number): Tensor => ({
  shape: [n, ...x.shape.slice(1)],
  data: Float64Array.from(x.data.subarray(0, n * (x.data.length / x.shape[0]))),
});

type Images = Awaited<ReturnType<typeof loadFashionMnist>>;

/** Runs `use` with the model's denoiser for these labels (none: unconditional), then frees it. */
async function withDenoiser<R>(
  backend: DiffusionBackend,
  model: ModelSpec,
  weights: Weights,
  labels: Int32Array | undefined,
  use: (d: DenoiserModel) => Promise<R>,
): Promise<R> {
  const d = await backend.training!.denoiser(model, weights, SCHEDULE.T, labels);
  try {
    return await use(d.model);
  } finally {
    d.dispose();
  }
}

/** Bits/dim per image: mean over the images (as `median`), range and standard error. */
function boundSummary(total: Float64Array) {
  const mean = total.reduce((a, b) => a + b, 0) / total.length;
  const variance = total.reduce((s, v) => s + (v - mean) ** 2, 0) / (total.length - 1);
  return { ...spreadOf([...total]), median: mean, standardError: Math.sqrt(variance / total.length) };
}

/**
 * The variational bound in bits/dim under each variance choice. Both bounds draw the same x_t at each t (the seed
 * fixes them), so the second replays the model outputs of the first instead of running the model again.
 */
async function bounds(backend: DiffusionBackend, model: DenoiserModel, x0: Tensor) {
  const outputs = new Map<number, { xt: Tensor; out: Tensor }>();
  const replaying: DenoiserModel = async (xt, t) => {
    const seen = outputs.get(t[0]);
    if (seen && isDeepStrictEqual(seen.xt, xt)) return seen.out;
    const out = await model(xt, t);
    outputs.set(t[0], { xt, out });
    return out;
  };
  const bound = async (variance: VarianceType) =>
    boundSummary((await bitsPerDim(backend, replaying, SCHEDULE, x0, 11, { variance })).total);
  return { fixedLarge: await bound('fixed_large'), fixedSmall: await bound('fixed_small') };
}

/** Where each model's training state is kept, so that an interrupted or repeated run continues where it stopped. */
const STATE_DIR = join(packageRoot(), 'reports', 'architectures');
const KEEP_EVERY = 50;

/** Writes the training state in the weights format, with the groups of a checkpoint (src/training/checkpoint.ts). */
async function keepState(path: string, model: ModelSpec, state: TrainerState, trainSeconds: Seconds): Promise<void> {
  const groups = { params: state.params, 'adam.m': state.m, 'adam.v': state.v, ema: state.ema! };
  await writeFileAtomic(
    path,
    encodeWeights({ model, groups, meta: { recipe: RECIPE, step: state.step, trainSeconds } }),
  );
}

/** The EMA weights after RECIPE's training, continuing from the kept state when it is of this model and recipe. */
async function trainedWeights(backend: DiffusionBackend, model: ModelSpec, train: Images) {
  const path = join(STATE_DIR, `${model.architecture}.weights`);
  let state: TrainerState = freshState(model);
  let spent: Seconds = { wall: 0, cpu: 0 };
  if (existsSync(path)) {
    const kept = decodeWeights(await readFile(path), path);
    if (isDeepStrictEqual(kept.model, model) && isDeepStrictEqual(kept.meta.recipe, RECIPE)) {
      const g = kept.groups;
      state = { step: kept.meta.step as number, params: g.params, m: g['adam.m'], v: g['adam.v'], ema: g.ema };
      spent = kept.meta.trainSeconds as Seconds;
    }
  }
  const elapsed = clock();
  const seconds = () => ({ wall: spent.wall + elapsed().wall, cpu: spent.cpu + elapsed().cpu });
  if (state.step < RECIPE.steps) {
    await mkdir(STATE_DIR, { recursive: true });
    const t = await trainer(backend.training!, model, state);
    try {
      for (let k = state.step + 1; k <= RECIPE.steps; k++) {
        const labels = isConditional(model) ? sampleLabels(train.labels, RECIPE.batch, RECIPE.seed, k) : undefined;
        await t.step(sampleBatch(train.items, RECIPE.batch, RECIPE.seed, k), labels);
        if (k % KEEP_EVERY === 0 || k === RECIPE.steps) await keepState(path, model, await t.state(), seconds());
      }
      state = await t.state();
    } finally {
      t.dispose();
    }
  }
  return { weights: state.ema!, trainSeconds: seconds() };
}

async function trainedRows(backend: DiffusionBackend, model: ModelSpec, data: { train: Images; test: Images }) {
  const name = model.architecture;
  const conditional = isConditional(model);
  // The training's time includes that of earlier runs it continued; the evaluation's is this run's.
  const { weights, trainSeconds } = await trainedWeights(backend, model, data.train);
  const evaluation = clock();
  const run = <R>(labels: Int32Array | undefined, use: (d: DenoiserModel) => Promise<R>) =>
    withDenoiser(backend, model, weights, labels, use);
  const unconditional = (n: number) => (conditional ? nullLabels(n) : undefined);
  const heldOut = subset(data.test.items, HELD_OUT);
  const heldOutLabels = data.test.labels.subarray(0, HELD_OUT);
  const bound = quantised(subset(data.test.items, BOUND_IMAGES));
  const boundLabels = data.test.labels.subarray(0, BOUND_IMAGES);
  const rows: Omit<TrainedRows, 'totalSeconds'> = {
    model,
    recipe: RECIPE,
    heldOutLoss: {
      unconditional: await run(unconditional(HELD_OUT), (d) => heldOutLoss(d, heldOut)),
      ...(conditional && { conditional: await run(heldOutLabels, (d) => heldOutLoss(d, heldOut)) }),
    },
    bitsPerDim: {
      unconditional: await run(unconditional(BOUND_IMAGES), (d) => bounds(backend, d, bound)),
      ...(conditional && { conditional: await run(boundLabels, (d) => bounds(backend, d, bound)) }),
    },
    trainSeconds,
  };
  // The grid: GRID_PER_CLASS rows of the classes in turn, guided; simple-conv's unconditional.
  const n = GRID_PER_CLASS * CLASSES;
  const labels = Int32Array.from({ length: n }, (_, i) => i % CLASSES);
  const shape = [n, ...architectureOf(model).itemShape(model)];
  const sample = (m: DenoiserModel) => backend.sampleDdpm({ schedule: SCHEDULE, shape, model: m, seed: 3 });
  const samples = conditional
    ? await run(labels, (c) =>
        run(nullLabels(n), (u) => sample(guidedDenoiser(c, u, { w: GUIDANCE, prediction: 'eps', schedule: SCHEDULE }))),
      )
    : await run(undefined, sample);
  await writeFileAtomic(join(RESULTS_DIR, `${name}.png`), await imageGridPng(samples, CLASSES));
  const { wall, cpu } = evaluation();
  return { ...rows, totalSeconds: { wall: trainSeconds.wall + wall, cpu: trainSeconds.cpu + cpu } };
}

function parseArgs(args: string[]) {
  const known = ['--timings-only', '--trained-only', '--report-only', '--models', '--backends'];
  const list = (option: string) => (args.includes(option) ? args[args.indexOf(option) + 1]?.split(',') : undefined);
  const models = list('--models');
  const backends = list('--backends');
  const values = [args[args.indexOf('--models') + 1], args[args.indexOf('--backends') + 1]];
  for (const a of args)
    if (!known.includes(a) && !values.includes(a)) throw new Error(`unknown option ${a}; options: ${known.join(', ')}`);
  if (backends && !args.includes('--timings-only')) throw new Error('--backends goes with --timings-only');
  for (const m of models ?? [])
    if (!MODELS.some((s) => s.architecture === m))
      throw new Error(`--models: unknown model ${m}; models: ${MODELS.map((s) => s.architecture).join(', ')}`);
  const only = known.slice(0, 3).filter((o) => args.includes(o));
  if (only.length > 1) throw new Error(`${only.join(' and ')} exclude each other`);
  const reportOnly = args.includes('--report-only');
  return {
    models,
    backends,
    timings: !reportOnly && !args.includes('--trained-only'),
    trained: !reportOnly && !args.includes('--timings-only'),
  };
}

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  const elapsed = clock();
  await mkdir(RESULTS_DIR, { recursive: true });
  const data = options.trained
    ? { train: await loadFashionMnist(RECIPE.size, 'train'), test: await loadFashionMnist(RECIPE.size, 'test') }
    : undefined;
  if (data && data.train.classes !== CLASSES) throw new Error(`expected ${CLASSES} classes, got ${data.train.classes}`);
  const { backends, skipped } = options.timings
    ? await architectureBackends(options.backends)
    : { backends: options.trained ? { [MAIN]: await mainBackend() } : {}, skipped: {} };
  const measured = options.trained || options.timings ? MODELS : [];
  for (const model of measured.filter((m) => !options.models || options.models.includes(m.architecture))) {
    const name = model.architecture;
    const log = (s: string) => {
      const { wall, cpu } = elapsed();
      process.stderr.write(`${name}: ${s} (${wall.toFixed(0)} s wall, ${cpu.toFixed(0)} s CPU)\n`);
    };
    if (data) {
      const trained = await trainedRows(backends[MAIN], model, data);
      await storeResults(name, { trained });
      log(`trained: ${JSON.stringify({ loss: trained.heldOutLoss, bpd: trained.bitsPerDim })}`);
    }
    if (options.timings) {
      const previous = options.backends ? current(model, await loadResults(name)).timings : undefined;
      const timings = await timingRows(backends, skipped, model, log, previous);
      await storeResults(name, { timings });
      log(`timings: exponents ${timings.resolutionExponent.ofMedians} ${timings.widthExponent?.ofMedians}`);
    }
  }
  const stored: Record<string, ModelResults> = {};
  for (const m of MODELS) stored[m.architecture] = current(m, await loadResults(m.architecture));
  await writeFileAtomic(
    join(RESULTS_DIR, '..', 'architectures.md'),
    renderArchitecturesReport(MODELS, stored, SETTINGS),
  );
  const { wall, cpu } = elapsed();
  process.stderr.write(`docs/architectures.md written; this run ${wall.toFixed(0)} s wall, ${cpu.toFixed(0)} s CPU\n`);
}

async function mainBackend(): Promise<DiffusionBackend> {
  const r = await resolveBackend(MAIN);
  if ('skipped' in r) throw new Error(`${MAIN} (the main backend) cannot run here: ${r.skipped}`);
  return r.backend;
}

/** Stored rows of another model spec or training recipe are dropped (the report says they are missing). */
function current(model: ModelSpec, results: ModelResults): ModelResults {
  const trained =
    results.trained &&
    isDeepStrictEqual(results.trained.model, model) &&
    isDeepStrictEqual(results.trained.recipe, RECIPE)
      ? results.trained
      : undefined;
  const timings = results.timings && isDeepStrictEqual(results.timings.model, model) ? results.timings : undefined;
  return { ...(trained && { trained }), ...(timings && { timings }) };
}

await main();
