// Training benchmark: steps per second of the training step (Algorithm 1 of Ho et al. 2020 + Adam) and of DDPM
// sampling, on every registered backend that declares 'training', and where /usr/bin/python3 has torch, the same
// models and batches in PyTorch on one thread (Node runs these kernels on one thread), as a same-run ratio.
// Also the long version of the 2-D end-to-end spec: k-NN KL (k = 5) of DDPM samples after a longer training.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import '../backends/index.js';
import type { DiffusionBackend } from '../src/contract/backend.js';
import { registeredBackends, resolveBackend } from '../src/contract/registry.js';
import type { TrainingBackend } from '../src/contract/training.js';
import { toyDataset } from '../src/data/toy2d.js';
import { DEFAULT_ADAM } from '../src/equations/adam.js';
import { initialWeights, zerosLike } from '../src/models/init.js';
import { MLP_DEFAULTS } from '../src/models/mlp.js';
import type { ModelSpec } from '../src/models/spec.js';
import { gaussianTensor } from '../src/random/gaussian.js';
import { SEED_SCHEDULE } from '../src/schedule/spec.js';
import { scheduleTables } from '../src/schedule/tables.js';
import { knnKlDivergence } from '../src/stats/divergence.js';
import { sampleBatch } from '../src/training/batches.js';
import type { BenchRow } from './timing.js';

const SCHEDULE = scheduleTables(SEED_SCHEDULE);
const MLP: ModelSpec = { architecture: 'mlp', ...MLP_DEFAULTS };
const conv = (size: number): ModelSpec => ({ architecture: 'simple-conv', channels: 3, height: size, width: size });

/** Wall and CPU seconds (this process, user + system) per call of fn over `steps` calls. */
interface StepTime {
  seconds: number;
  cpuSeconds: number;
}

async function timeSteps(steps: number, fn: () => Promise<unknown>): Promise<StepTime> {
  const cpu = process.cpuUsage();
  const start = performance.now();
  await fn();
  const used = process.cpuUsage(cpu);
  return { seconds: (performance.now() - start) / 1000 / steps, cpuSeconds: (used.user + used.system) / 1e6 / steps };
}

/**
 * Steps before timing: a backend that compiles a graph per structure (ort) meets a new one in step 2, whose graph
 * also holds step 1's Adam update.
 */
const WARM_UP_STEPS = 2;

async function secondsPerTrainingStep(
  training: TrainingBackend,
  model: ModelSpec,
  shape: number[],
  steps: number,
): Promise<StepTime> {
  const params = initialWeights(model, 1);
  const trainer = await training.createTrainer(
    model,
    SCHEDULE,
    { step: 0, params, m: zerosLike(params), v: zerosLike(params) },
    { adam: DEFAULT_ADAM, seed: 1, clipGradNorm: 1, emaDecay: 0.999 },
  );
  try {
    const x0 = gaussianTensor(shape, 2, 0);
    for (let i = 0; i < WARM_UP_STEPS; i++) await trainer.step(x0);
    return await timeSteps(steps, async () => {
      for (let i = 0; i < steps; i++) await trainer.step(x0);
    });
  } finally {
    trainer.dispose();
  }
}

/** Seconds per reverse step of DDPM sampling: a short schedule (T = steps) with the model's weights. */
async function secondsPerSamplingStep(
  backend: DiffusionBackend,
  training: TrainingBackend,
  model: ModelSpec,
  shape: number[],
  steps: number,
): Promise<StepTime> {
  const schedule = scheduleTables({ kind: 'linear', T: steps, betaStart: 1e-4, betaEnd: 0.06 });
  const weights = initialWeights(model, 1);
  const denoiser = await training.denoiser(model, weights, steps);
  try {
    return await timeSteps(steps, () => backend.sampleDdpm({ schedule, shape, seed: 3, model: denoiser.model }));
  } finally {
    denoiser.dispose();
  }
}

interface TorchRate {
  benchmark: string;
  dtype: string;
  stepsPerSecond: number;
  /** CPU seconds (the Python process, user + system) per step. */
  cpuSecondsPerStep: number;
}

/** PyTorch's steps per second on one thread, or the reason there are none. */
async function torchRates(quick: boolean): Promise<TorchRate[] | string> {
  // Next to this file when run from source, two levels up from dist/bench when built.
  const script = [
    new URL('./torch_training.py', import.meta.url),
    new URL('../../bench/torch_training.py', import.meta.url),
  ]
    .map((u) => fileURLToPath(u))
    .find((p) => existsSync(p));
  if (!script) return 'PyTorch comparison skipped: bench/torch_training.py not found';
  try {
    const { stdout } = await promisify(execFile)('/usr/bin/python3', [script, '1', ...(quick ? ['--quick'] : [])], {
      timeout: 600_000,
    });
    return stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as TorchRate);
  } catch (e) {
    return `PyTorch comparison skipped: ${(e as Error).message.split('\n')[0]}`;
  }
}

const perSecond = (seconds: number) => `${(1 / seconds).toFixed(seconds < 0.01 ? 0 : 2)} steps/s`;

/**
 * Runs the training benchmark on every registered backend, or on those named in `only`; `quick` takes fewer
 * steps. Rows give seconds per step, and where PyTorch ran, the ratio of our time per step to PyTorch's at
 * the backend's precision; notes list skips, PyTorch's rates and the long end-to-end run's quality.
 */
/**
 * The long end-to-end run is left out (with a note) on a backend where it would take longer than this, unless forced.
 */
const LONG_RUN_BUDGET_SECONDS = 300;
const LONG_RUN_STEPS = 3000;
/** The full DDPM sampling run of simple-conv (bench/torch_training.py's SAMPLING_STEPS), left out beyond the budget. */
const SAMPLING_RUN_STEPS = 1000;
const QUICK_SAMPLING_RUN_STEPS = 20;
const SAMPLING_RUN_BUDGET_SECONDS = 300;

export async function benchTraining(
  quick = false,
  only?: readonly string[],
  forceLongRuns = false,
): Promise<{ rows: BenchRow[]; notes: string[] }> {
  const rows: BenchRow[] = [];
  const notes: string[] = [];
  const torch = await torchRates(quick);
  if (typeof torch === 'string') notes.push(torch);
  else
    notes.push(
      `PyTorch ${process.platform}, 1 thread: ${torch.map((r) => `${r.benchmark} ${r.dtype} ${r.stepsPerSecond.toFixed(2)} steps/s`).join('; ')}`,
    );
  const torchFor = (benchmark: string, dtype: string) =>
    typeof torch === 'string' ? undefined : torch.find((r) => r.benchmark === benchmark && r.dtype === dtype);
  for (const registration of registeredBackends().filter((r) => !only || only.includes(r.name))) {
    const resolution = await resolveBackend(registration.name);
    if ('skipped' in resolution) {
      notes.push(`${registration.name}: skipped (${resolution.skipped})`);
      continue;
    }
    const backend = resolution.backend;
    if (!backend.training) continue;
    const cases: [string, ModelSpec, number[], number][] = [
      ['train simple-conv batch 8 3x32x32', conv(32), [8, 3, 32, 32], quick ? 1 : 3],
      ['train simple-conv batch 8 3x64x64', conv(64), [8, 3, 64, 64], 1],
      ['train mlp batch 256', MLP, [256, 2], quick ? 20 : 100],
    ];
    const perStep = new Map<string, number>();
    /** A row with its ratio to PyTorch's wall time and, as loaded machines make wall times noisy, to its CPU time. */
    const row = (benchmark: string, shape: readonly number[], { seconds, cpuSeconds }: StepTime): BenchRow => {
      const reference = torchFor(benchmark, backend.precision);
      const versus = reference && {
        ratio: seconds * reference.stepsPerSecond,
        baseline:
          `PyTorch ${reference.dtype}, 1 thread (${reference.stepsPerSecond.toFixed(2)} steps/s); ` +
          `CPU time ${(cpuSeconds / reference.cpuSecondsPerStep).toFixed(2)}x`,
      };
      const size = `[${shape.join(', ')}]`;
      return { benchmark: `${benchmark} (${backend.name})`, size, seconds, rate: perSecond(seconds), ...versus };
    };
    for (const [benchmark, model, shape, steps] of cases) {
      const time = await secondsPerTrainingStep(backend.training, model, shape, steps);
      perStep.set(benchmark, time.seconds);
      rows.push(row(benchmark, shape, time));
    }
    for (const [benchmark, model, shape, steps] of [
      ['DDPM sampling mlp', MLP, [1000, 2], quick ? 5 : 20],
      ['DDPM sampling simple-conv', conv(32), [8, 3, 32, 32], quick ? 2 : 5],
    ] as [string, ModelSpec, number[], number][]) {
      const time = await secondsPerSamplingStep(backend, backend.training, model, shape, steps);
      perStep.set(benchmark, time.seconds);
      rows.push(row(benchmark, shape, time));
    }
    // The whole sampling run, as PyTorch's loop runs it (bench/torch_training.py), where it fits the budget.
    const samplingSteps = quick ? QUICK_SAMPLING_RUN_STEPS : SAMPLING_RUN_STEPS;
    const samplingRun = `DDPM sampling simple-conv ${samplingSteps} steps`;
    if (samplingSteps * perStep.get('DDPM sampling simple-conv')! <= SAMPLING_RUN_BUDGET_SECONDS) {
      const shape = [8, 3, 32, 32];
      const time = await secondsPerSamplingStep(backend, backend.training, conv(32), shape, samplingSteps);
      rows.push(row(samplingRun, shape, time));
    } else {
      const budget = SAMPLING_RUN_BUDGET_SECONDS;
      notes.push(`${backend.name}: ${samplingRun} left out: at the measured step time it would take over ${budget} s`);
    }
    if (!quick) {
      const estimate =
        LONG_RUN_STEPS * perStep.get('train mlp batch 256')! + SCHEDULE.T * perStep.get('DDPM sampling mlp')!;
      if (estimate <= LONG_RUN_BUDGET_SECONDS || forceLongRuns) notes.push(await longEndToEnd(backend));
      else
        notes.push(
          `${backend.name}: long two-moons run left out: at the measured step times it would take ${(estimate / 60).toFixed(0)} min (over ${LONG_RUN_BUDGET_SECONDS / 60}); --long runs it`,
        );
    }
    await backend.dispose?.();
  }
  return { rows, notes };
}

/**
 * The long version of the 2-D end-to-end spec: the default MLP,
 * 3000 steps of batch 256 on two moons, 1000 DDPM samples.
 */
async function longEndToEnd(backend: DiffusionBackend): Promise<string> {
  const training = backend.training!;
  const data = toyDataset('two-moons', 10000, 1);
  const params = initialWeights(MLP, 5);
  const options = { adam: { ...DEFAULT_ADAM, learningRate: 2e-3 }, seed: 5, emaDecay: 0.995 };
  const trainer = await training.createTrainer(
    MLP,
    SCHEDULE,
    { step: 0, params, m: zerosLike(params), v: zerosLike(params) },
    options,
  );
  const steps = LONG_RUN_STEPS;
  const start = performance.now();
  for (let k = 1; k <= steps; k++) await trainer.step(sampleBatch(data, 256, options.seed, k));
  const state = await trainer.state();
  trainer.dispose();
  const weights = state.ema ?? state.params;
  const denoiser = await training.denoiser(MLP, weights, SCHEDULE.T);
  const samples = await backend.sampleDdpm({ schedule: SCHEDULE, shape: [1000, 2], seed: 6, model: denoiser.model });
  denoiser.dispose();
  const reference = toyDataset('two-moons', 1000, 7).data as Float64Array;
  const kl = knnKlDivergence(reference, Float64Array.from(samples.data), 2, 5);
  const reverse = knnKlDivergence(Float64Array.from(samples.data), reference, 2, 5);
  return `${backend.name}: two moons, default mlp, ${steps} steps of batch 256 + 1000 DDPM samples (EMA weights) in ${((performance.now() - start) / 1000).toFixed(0)} s: k-NN KL (k = 5) KL(data || samples) = ${kl.toFixed(3)}, KL(samples || data) = ${reverse.toFixed(3)}`;
}
