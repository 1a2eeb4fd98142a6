// The seed's comparison table, measured: simple-conv, unet, unet-attn and dit at similar parameter counts on 16 x 16
// Fashion-MNIST. Parameters, forward FLOPs, training-step time per backend, DDIM sampling throughput, held-out L_simple
// after a fixed training budget, the variational bound in bits/dim (src/evaluation/bits-per-dim.ts), the growth of step
// time with resolution and width as log-log slopes, and a sample grid per model. Writes docs/architectures.md and
// docs/architectures/<model>.png. BENCH_STEPS sets the training budget (default 300).
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import '../backends/index.js';
import { cpuArchitectureKernels } from '../backends/cpu/architecture.js';
import { cpuKernels } from '../backends/cpu/kernels.js';
import { cpuTrainingKernels } from '../backends/cpu/training.js';
import type { DiffusionBackend } from '../src/contract/backend.js';
import { resolveBackend } from '../src/contract/registry.js';
import type { TrainingBackend } from '../src/contract/training.js';
import { loadFashionMnist } from '../src/data/fashion-mnist.js';
import { imageGridPng } from '../src/data/images.js';
import { DEFAULT_ADAM } from '../src/equations/adam.js';
import { respacedTimesteps } from '../src/equations/ddim.js';
import { closedFormCoefficients } from '../src/equations/forward.js';
import { bitsPerDim } from '../src/evaluation/bits-per-dim.js';
import { writeFileAtomic } from '../src/io/atomic.js';
import { initialWeights, zerosLike } from '../src/models/init.js';
import { architectureOf, type ModelSpec } from '../src/models/spec.js';
import { packageRoot } from '../src/paths.js';
import { composeBackend } from '../src/pipeline/compose.js';
import { gaussianTensor } from '../src/random/gaussian.js';
import { uniformValues } from '../src/random/uniform.js';
import { SEED_SCHEDULE } from '../src/schedule/spec.js';
import { noiseLevel, scheduleTables } from '../src/schedule/tables.js';
import type { Tensor } from '../src/tensor.js';
import { sampleBatch } from '../src/training/batches.js';

const SCHEDULE = scheduleTables(SEED_SCHEDULE);
const SIZE = 16;
const BATCH = 16;
const STEPS = Number(process.env.BENCH_STEPS ?? 300);
const HELD_OUT = 256;
const BPD_IMAGES = 32;
const BACKENDS = ['cpu', 'tfjs:wasm', 'tfjs:cpu'];
/** The backend that trains and evaluates every model (the fastest here for these sizes). */
const MAIN = 'tfjs:wasm';

const image = { channels: 1, height: SIZE, width: SIZE };
/** Similar parameter counts (39k-90k): the widths are chosen for that, the rest are the architectures' defaults. */
const MODELS: ModelSpec[] = [
  { architecture: 'simple-conv', ...image },
  { architecture: 'unet', ...image, baseChannels: 8, levels: 3, skip: 'add', groups: 4, heads: 4, classes: 0 },
  { architecture: 'unet-attn', ...image, baseChannels: 8, levels: 3, skip: 'add', groups: 4, heads: 4, classes: 0 },
  { architecture: 'dit', ...image, patch: 2, depth: 3, hidden: 32, heads: 4, classes: 0 },
];

/** A model at another resolution and width factor (for the scaling exponents). */
function scaled(model: ModelSpec, size: number, width: number): ModelSpec {
  const resized = { ...model, height: size, width: size } as ModelSpec;
  if (resized.architecture === 'unet' || resized.architecture === 'unet-attn')
    return { ...resized, baseChannels: resized.baseChannels * width };
  if (resized.architecture === 'dit') return { ...resized, hidden: resized.hidden * width };
  return resized;
}

async function backendNamed(name: string): Promise<DiffusionBackend> {
  const r = await resolveBackend(name);
  if (!('backend' in r)) throw new Error(`${name}: ${r.skipped}`);
  return r.backend;
}

const parameterCount = (model: ModelSpec) =>
  architectureOf(model)
    .parameters(model)
    .reduce((s, p) => s + p.shape.reduce((a, b) => a * b, 1), 0);

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
  await counting.training!.predict({ model, weights: initialWeights(model, 1), x, t: Int32Array.of(1), T: SCHEDULE.T });
  return flops;
}

function trainer(training: TrainingBackend, model: ModelSpec) {
  const params = initialWeights(model, 1);
  const state = { step: 0, params, m: zerosLike(params), v: zerosLike(params), ema: params };
  return training.createTrainer(model, SCHEDULE, state, {
    adam: { ...DEFAULT_ADAM, learningRate: 1e-3 },
    seed: 1,
    clipGradNorm: 1,
    emaDecay: 0.995,
  });
}

/** Median seconds of a training step (after one warm-up), on a fixed batch. */
async function stepSeconds(training: TrainingBackend, model: ModelSpec, batch: number, repeats = 3): Promise<number> {
  const t = await trainer(training, model);
  try {
    const x0 = gaussianTensor([batch, ...architectureOf(model).itemShape(model)], 2, 0);
    await t.step(x0);
    const times: number[] = [];
    for (let i = 0; i < repeats; i++) {
      const start = performance.now();
      await t.step(x0);
      times.push((performance.now() - start) / 1000);
    }
    return times.sort((a, b) => a - b)[Math.floor(repeats / 2)];
  } finally {
    t.dispose();
  }
}

/** Least-squares slope of log y against log x. */
function slope(xs: number[], ys: number[]): number {
  const [lx, ly] = [xs.map(Math.log), ys.map(Math.log)];
  const [mx, my] = [lx.reduce((a, b) => a + b) / lx.length, ly.reduce((a, b) => a + b) / ly.length];
  return lx.reduce((s, x, i) => s + (x - mx) * (ly[i] - my), 0) / lx.reduce((s, x) => s + (x - mx) ** 2, 0);
}

/** Mean L_simple over held-out images at fixed t and noise. */
async function heldOutLoss(
  backend: DiffusionBackend,
  model: ModelSpec,
  weights: Parameters<TrainingBackend['denoiser']>[1],
  x0: Tensor,
): Promise<number> {
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
  const denoiser = await backend.training!.denoiser(model, weights, SCHEDULE.T);
  try {
    const out = await denoiser.model(xt, t);
    let sum = 0;
    out.data.forEach((v, i) => (sum += (v - noise.data[i]) ** 2));
    return sum / out.data.length;
  } finally {
    denoiser.dispose();
  }
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

interface Row {
  model: string;
  parameters: number;
  flops: number;
  stepMs: Record<string, number>;
  samplesPerSecond: number;
  heldOutLoss: number;
  bitsPerDim: number;
  resolutionExponent: number;
  widthExponent: number;
}

async function main(): Promise<void> {
  const started = performance.now();
  const train = await loadFashionMnist(SIZE, 'train');
  const test = await loadFashionMnist(SIZE, 'test');
  const backends = Object.fromEntries(
    await Promise.all(BACKENDS.map(async (b) => [b, await backendNamed(b)] as const)),
  );
  const main = backends[MAIN];
  const outDir = join(packageRoot(), 'docs', 'architectures');
  await mkdir(outDir, { recursive: true });
  const rows: Row[] = [];
  for (const model of MODELS) {
    const name = model.architecture;
    const log = (s: string) =>
      process.stderr.write(`${name}: ${s} (${((performance.now() - started) / 1000).toFixed(0)} s)\n`);
    const stepMs: Record<string, number> = {};
    for (const b of BACKENDS) stepMs[b] = 1000 * (await stepSeconds(backends[b].training!, model, BATCH));
    log(`step ms ${JSON.stringify(stepMs)}`);
    const t = await trainer(main.training!, model);
    for (let k = 1; k <= STEPS; k++) await t.step(sampleBatch(train.items, BATCH, 1, k));
    const weights = (await t.state()).ema!;
    t.dispose();
    const loss = await heldOutLoss(main, model, weights, subset(test.items, HELD_OUT));
    log(`trained ${STEPS} steps, held-out L_simple ${loss.toFixed(4)}`);
    const denoiser = await main.training!.denoiser(model, weights, SCHEDULE.T);
    const bpd = await bitsPerDim(main, denoiser.model, SCHEDULE, quantised(subset(test.items, BPD_IMAGES)), 11);
    const sampleStart = performance.now();
    const samples = await main.sampleDdim({
      schedule: SCHEDULE,
      shape: [16, 1, SIZE, SIZE],
      model: denoiser.model,
      seed: 3,
      timesteps: respacedTimesteps(SCHEDULE.T, 20),
    });
    const samplesPerSecond = 16 / ((performance.now() - sampleStart) / 1000);
    denoiser.dispose();
    await writeFileAtomic(join(outDir, `${name}.png`), await imageGridPng(samples, 4));
    const bits = bpd.total.reduce((a, b) => a + b, 0) / bpd.total.length;
    log(`bits/dim ${bits.toFixed(3)}, ${samplesPerSecond.toFixed(1)} samples/s`);
    const sizes = [16, 32, 64];
    const bySize = [];
    for (const s of sizes) bySize.push(await stepSeconds(main.training!, scaled(model, s, 1), 4, 1));
    // simple-conv's width is fixed (64, the seed's): no width exponent.
    const widths = model.architecture === 'simple-conv' ? [] : [1, 2];
    const byWidth = [];
    for (const w of widths) byWidth.push(await stepSeconds(main.training!, scaled(model, SIZE, w), 4, 1));
    rows.push({
      model: name,
      parameters: parameterCount(model),
      flops: await forwardFlops(model),
      stepMs,
      samplesPerSecond,
      heldOutLoss: loss,
      bitsPerDim: bits,
      resolutionExponent: slope(sizes, bySize),
      widthExponent: widths.length > 0 ? slope(widths, byWidth) : NaN,
    });
    log(`scaling ${JSON.stringify(rows[rows.length - 1])}`);
  }
  const minutes = (performance.now() - started) / 60000;
  await writeFileAtomic(join(packageRoot(), 'docs', 'architectures.md'), report(rows, minutes));
  process.stderr.write(`docs/architectures.md written in ${minutes.toFixed(1)} min\n`);
}

function report(rows: Row[], minutes: number): string {
  const specs = MODELS.map((m) => `- \`${JSON.stringify(m)}\``).join('\n');
  const header = `| | ${rows.map((r) => r.model).join(' | ')} |\n|---|${rows.map(() => '---').join('|')}|`;
  const line = (what: string, f: (r: Row) => string) => `| ${what} | ${rows.map(f).join(' | ')} |`;
  return `# The seed's architectures, measured

\`npm run bench:models\` (bench/models.ts) on 16 x 16 Fashion-MNIST (Debian's dataset-fashion-mnist, area-resampled),
unconditional, the seed's schedule (linear 1e-4..0.06, T = 100). Each model trains ${STEPS} steps of batch ${BATCH} on
${MAIN} (Adam lr 1e-3, clip 1, EMA 0.995) and is evaluated with its EMA weights. This run took ${minutes.toFixed(1)} min on
a shared 2-core machine: the times are noisy, the ratios within one run are what to read.

${header}
${line('parameters', (r) => r.parameters.toLocaleString('en'))}
${line('forward FLOPs per image', (r) => `${(r.flops / 1e6).toFixed(2)} M`)}
${BACKENDS.map((b) => line(`training step, batch ${BATCH}, ${b} (ms)`, (r) => r.stepMs[b].toFixed(0))).join('\n')}
${line(`DDIM sampling, 20 steps (${MAIN}, samples/s)`, (r) => r.samplesPerSecond.toFixed(1))}
${line(`held-out L_simple (${HELD_OUT} test images, fixed t and eps)`, (r) => r.heldOutLoss.toFixed(4))}
${line(`bits/dim (${BPD_IMAGES} test images, quantised to 256 levels)`, (r) => r.bitsPerDim.toFixed(3))}
${line('step time ~ resolution^a (16, 32, 64; batch 4)', (r) => r.resolutionExponent.toFixed(2))}
${line('step time ~ width^b (x1, x2; batch 4)', (r) => (Number.isNaN(r.widthExponent) ? 'n/a' : r.widthExponent.toFixed(2)))}

Bits/dim is the variational bound as improved-diffusion's calc_bpd_loop computes it: the prior KL, the posterior KL
at every t > 1 and the discretised-Gaussian decoder NLL at t = 1, fixed_small variances (src/evaluation/bits-per-dim.ts;
the Gaussian KL and the discretised likelihood are checked in test/likelihood.spec.ts). After so short a training the
bound is far from a trained model's (above 8 bits/dim, worse than uniform): it compares the models at one budget only.

Sample grids (DDIM, 20 steps, seed 3): ${rows.map((r) => `[${r.model}](architectures/${r.model}.png)`).join(', ')}.

Models:
${specs}
`;
}

await main();
