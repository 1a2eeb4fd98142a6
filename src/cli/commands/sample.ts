import { readFile } from 'node:fs/promises';
import { dirname, extname, join } from 'node:path';
import type { DenoiserModel, DiffusionBackend } from '../../contract/backend.js';
import { imageGridPng } from '../../data/images.js';
import { loadData } from '../../data/load.js';
import { respacedTimesteps } from '../../equations/ddim.js';
import { DiffspecInputError, requireInput } from '../../errors.js';
import { renderSvg, scatterSpec, svgToPng } from '../../figures/charts.js';
import { writeFileAtomic } from '../../io/atomic.js';
import { guidedDenoiser } from '../../models/guided.js';
import { architectureOf } from '../../models/spec.js';
import type { ScheduleTables } from '../../schedule/tables.js';
import { scheduleTables } from '../../schedule/tables.js';
import { knnKlDivergence } from '../../stats/divergence.js';
import type { Tensor } from '../../tensor.js';
import { runnableBackend, trainingBackend } from '../backend.js';
import { readCheckpointOption, weightsOption } from '../checkpoint-option.js';
import { defineCommand } from '../command.js';
import { option } from '../options.js';
import { UsageError } from '../usage-error.js';
import { integer, number, oneOf, text } from '../values.js';
import { SCHEDULE_KINDS, scheduleOf } from './forward.js';

interface SamplerOptions {
  sampler: 'ddpm' | 'ddim';
  steps?: number;
  eta: number;
  seed: number;
}

/** The timesteps the sampler visits: all T for DDPM, --steps evenly spaced over 1..T for DDIM. */
function samplerTimesteps({ sampler, steps }: SamplerOptions, T: number): number[] {
  const count = steps ?? (sampler === 'ddpm' ? T : Math.min(50, T));
  if (sampler === 'ddpm') {
    requireInput(count === T, '--steps', `ddpm takes all T = ${T} steps; use --sampler ddim for fewer`);
  }
  return respacedTimesteps(T, count);
}

/** Runs the sampler with the model and reports its speed. */
async function draw(
  backend: DiffusionBackend,
  model: DenoiserModel,
  schedule: ScheduleTables,
  shape: number[],
  timesteps: number[],
  { sampler, eta, seed }: SamplerOptions,
): Promise<Tensor> {
  const started = performance.now();
  const samples = await (sampler === 'ddpm'
    ? backend.sampleDdpm({ schedule, shape, model, seed })
    : backend.sampleDdim({ schedule, shape, model, seed, timesteps, options: { eta } }));
  const seconds = (performance.now() - started) / 1000;
  const rate = `${(timesteps.length / seconds).toFixed(1)} steps/s`;
  process.stderr.write(
    `${sampler}: ${timesteps.length} steps for ${shape[0]} samples in ${seconds.toFixed(1)} s (${rate}) ` +
      `on ${backend.name}\n`,
  );
  return samples;
}

/** Samples an ONNX image denoiser from elsewhere (backends/ort/onnxDenoiser.ts) and writes the grid. */
interface OnnxSampleOptions extends SamplerOptions {
  n?: number;
  backend: string;
  out?: string;
  schedule: (typeof SCHEDULE_KINDS)[number];
  T: number;
}

async function sampleOnnx(file: string, options: OnnxSampleOptions): Promise<number> {
  const bytes = await readFile(file).catch((e: Error) =>
    Promise.reject(new DiffspecInputError('--model-onnx', e.message)),
  );
  const { loadOnnxDenoiser } = await import('../../../backends/ort/onnxDenoiser.js');
  const denoiser = await loadOnnxDenoiser(bytes, '--model-onnx');
  try {
    const item = denoiser.signature.itemShape;
    const given = `[N, ${item?.join(', ') ?? 'dynamic'}]`;
    const expected = 'an image batch [N, C, H, W] with C, H and W fixed';
    requireInput(item?.length === 3, '--model-onnx', `input ${denoiser.signature.x} must be ${expected}, is ${given}`);
    const schedule = scheduleTables(scheduleOf(options.schedule, options.T));
    const timesteps = samplerTimesteps(options, schedule.T);
    const n = options.n ?? 64;
    const backend = await runnableBackend('backend', options.backend);
    const samples = await draw(backend, denoiser.model, schedule, [n, ...item], timesteps, options);
    const out = options.out ?? 'samples.png';
    await writeFileAtomic(out, await imageGridPng(samples, Math.ceil(Math.sqrt(n))));
    process.stderr.write(`image grid ${out} (${denoiser.runtime})\n`);
    await backend.dispose?.();
    return 0;
  } finally {
    await denoiser.dispose();
  }
}

export const sampleCommand = defineCommand({
  name: 'sample',
  summary: 'sample a trained model with DDPM or DDIM: an image grid or a 2-D scatter against the data',
  description: `Draws samples from a trained model. Image models write a grid (PNG); 2-D models write a scatter plot
of the samples against the training data (SVG and PNG) and print the k-nearest-neighbour KL estimate (k = 5,
Wang, Kulkarni & Verdu 2009) of KL(data || samples).`,
  options: {
    checkpoint: option(text('FILE|DIR'), {
      description: 'a checkpoint written by diffspec train, or its run folder (or give --model-onnx)',
    }),
    'model-onnx': option(text('FILE'), {
      description:
        'an image denoiser from elsewhere, as ONNX, instead of a checkpoint: inputs x_t (float32, NCHW) and t ' +
        '([N], int64, int32 or float32, in 1..T), output eps (backends/ort/README.md); runs on ONNX Runtime',
    }),
    schedule: option(oneOf(SCHEDULE_KINDS), {
      default: 'linear',
      description: "with --model-onnx: the model's schedule (linear and quadratic with the seed's betas)",
    }),
    T: option(integer(1), { default: 100, description: 'with --model-onnx: number of diffusion steps' }),
    sampler: option(oneOf(['ddpm', 'ddim']), { default: 'ddpm', description: 'ddpm (ancestral, all T steps) or ddim' }),
    steps: option(integer(1, 'K'), {
      description: 'DDIM steps, evenly spaced over 1..T (at most T); ddpm always takes T',
      defaultText: '50 or T if smaller',
    }),
    eta: option(number({ min: 0, max: 1 }), {
      default: 0,
      description: "DDIM eta (0: deterministic, 1: DDPM's variance)",
    }),
    n: option(integer(1), { description: 'number of samples', defaultText: '64 images, 1000 points' }),
    weights: weightsOption,
    seed: option(integer(0), { default: 0, description: 'sampling seed' }),
    guidance: option(number({}, 'W'), {
      default: 0,
      description: 'classifier-free guidance weight w: (1 + w) eps(x, c) - w eps(x, null) (class-conditional models)',
    }),
    class: option(integer(0, 'K'), {
      description: 'the class to sample (class-conditional models)',
      defaultText: 'the classes in turn, one per sample',
    }),
    backend: option(text('NAME'), { default: 'cpu', description: 'backend to sample on' }),
    out: option(text('FILE'), {
      description: 'output file',
      defaultText: 'samples.png for images, samples.svg (and .png) for points, next to the checkpoint',
    }),
  },
  exitStatus: { 0: 'the samples were written', 1: 'the checkpoint cannot be read, or the backend cannot run models' },
  examples: [
    'diffspec sample --checkpoint run/ --sampler ddim --steps 50 --out samples.png',
    'diffspec sample --model-onnx model.onnx --T 1000 --sampler ddim --steps 50 --out samples.png',
    'diffspec sample --checkpoint run/ --guidance 3 --class 1',
  ],
  async run(options) {
    if ((options.checkpoint === undefined) === (options['model-onnx'] === undefined)) {
      throw new UsageError('give either --checkpoint FILE|DIR or --model-onnx FILE');
    }
    if (options.checkpoint === undefined) return sampleOnnx(options['model-onnx']!, options);
    const { checkpoint, path, weights } = await readCheckpointOption(options.checkpoint, options.weights);
    const { model, config } = checkpoint;
    const schedule = scheduleTables(config.schedule);
    const isImage = model.architecture !== 'mlp';
    const n = options.n ?? (isImage ? 64 : 1000);
    const timesteps = samplerTimesteps(options, schedule.T);
    const { backend, training } = await trainingBackend('backend', options.backend, 'run models');
    const shape = [n, ...architectureOf(model).itemShape(model)];
    const classes = 'classes' in model ? model.classes : 0;
    requireInput(
      classes > 0 || (options.guidance === 0 && options.class === undefined),
      options.class === undefined ? '--guidance' : '--class',
      `needs a class-conditional model (train with --class-conditional); ${path} holds an unconditional ${model.architecture}`,
    );
    if (options.class !== undefined) {
      requireInput(options.class < classes, '--class', `must be in 0..${classes - 1}, got ${options.class}`);
    }
    const labels = Int32Array.from({ length: n }, (_, i) => options.class ?? i % classes);
    const denoisers =
      classes > 0
        ? [
            await training.denoiser(model, weights, schedule.T, labels),
            await training.denoiser(model, weights, schedule.T, new Int32Array(n).fill(classes)),
          ]
        : [await training.denoiser(model, weights, schedule.T)];
    // The guided model predicts eps (src/models/guided.ts); these models are trained on eps: the loops are unchanged.
    const denoiser =
      classes > 0
        ? guidedDenoiser(denoisers[0].model, denoisers[1].model, { w: options.guidance, prediction: 'eps', schedule })
        : denoisers[0].model;
    const samples = await draw(backend, denoiser, schedule, shape, timesteps, options).finally(() =>
      denoisers.forEach((d) => d.dispose()),
    );
    const out = options.out ?? join(dirname(path), isImage ? 'samples.png' : 'samples.svg');
    if (isImage) {
      await writeFileAtomic(out, await imageGridPng(samples, Math.ceil(Math.sqrt(n))));
      process.stderr.write(`image grid ${out}\n`);
    } else {
      const data = await loadData(config.data);
      const reference = Float64Array.from(data.data.subarray(0, Math.min(data.data.length, 2 * n)));
      const kl = knnKlDivergence(reference, Float64Array.from(samples.data), 2, 5);
      const title =
        `${n} ${options.sampler} samples (${timesteps.length} steps) vs data: ` +
        `kNN KL(data || samples) = ${kl.toFixed(3)}`;
      const svg = await renderSvg(scatterSpec(reference, Float64Array.from(samples.data), title));
      const svgPath = extname(out) === '.png' ? `${out.slice(0, -4)}.svg` : out;
      await writeFileAtomic(svgPath, svg);
      await writeFileAtomic(`${svgPath.replace(/\.svg$/, '')}.png`, await svgToPng(svg));
      const summary = { sampler: options.sampler, steps: timesteps.length, n, knnKlDataToSamples: kl, k: 5 };
      process.stdout.write(`${JSON.stringify(summary)}\n`);
      process.stderr.write(`scatter ${svgPath} and .png\n`);
    }
    await backend.dispose?.();
    return 0;
  },
});
