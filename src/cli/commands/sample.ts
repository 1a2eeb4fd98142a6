import { readFile, stat } from 'node:fs/promises';
import { dirname, extname, join } from 'node:path';
import { loadData } from '../../data/load.js';
import { imageGridPng } from '../../data/images.js';
import { DiffspecInputError, requireInput } from '../../errors.js';
import { renderSvg, scatterSpec, svgToPng } from '../../figures/charts.js';
import { writeFileAtomic } from '../../io/atomic.js';
import { architectureOf } from '../../models/spec.js';
import { respacedTimesteps } from '../../equations/ddim.js';
import { scheduleTables } from '../../schedule/tables.js';
import { knnKlDivergence } from '../../stats/divergence.js';
import { decodeCheckpoint } from '../../training/checkpoint.js';
import { trainingBackend } from '../backend.js';
import { defineCommand } from '../command.js';
import { option } from '../options.js';
import { integer, number, oneOf, text } from '../values.js';
import { CHECKPOINT_FILE } from './train.js';

export const sampleCommand = defineCommand({
  name: 'sample',
  summary: 'sample a trained model with DDPM or DDIM: an image grid or a 2-D scatter against the data',
  description: `Draws samples from a trained model. Image models write a grid (PNG); 2-D models write a scatter plot
of the samples against the training data (SVG and PNG) and print the k-nearest-neighbour KL estimate (k = 5,
Wang, Kulkarni & Verdu 2009) of KL(data || samples).`,
  options: {
    checkpoint: option(text('FILE|DIR'), {
      required: true,
      description: 'a checkpoint written by diffspec train, or its run folder',
    }),
    sampler: option(oneOf(['ddpm', 'ddim']), { default: 'ddpm', description: 'ddpm (ancestral, all T steps) or ddim' }),
    steps: option(integer(1, 'K'), {
      description: 'DDIM steps, evenly spaced over 1..T (at most T); ddpm always takes T',
      defaultText: '50 or T if smaller',
    }),
    eta: option(number({ min: 0, max: 1 }), { default: 0, description: 'DDIM eta (0: deterministic, 1: DDPM\'s variance)' }),
    n: option(integer(1), { description: 'number of samples', defaultText: '64 images, 1000 points' }),
    weights: option(oneOf(['ema', 'params']), {
      description: 'which weights to use: the EMA of the weights or the trained ones',
      defaultText: 'ema when the checkpoint has them',
    }),
    seed: option(integer(0), { default: 0, description: 'sampling seed' }),
    backend: option(text('NAME'), { default: 'cpu', description: 'backend to sample on' }),
    out: option(text('FILE'), {
      description: 'output file',
      defaultText: 'samples.png for images, samples.svg (and .png) for points, next to the checkpoint',
    }),
  },
  exitStatus: { 0: 'the samples were written', 1: 'the checkpoint cannot be read, or the backend cannot run models' },
  examples: ['diffspec sample --checkpoint run/ --sampler ddim --steps 50 --out samples.png'],
  async run(options) {
    let path = options.checkpoint;
    const info = await stat(path).catch(() => undefined);
    requireInput(info !== undefined, '--checkpoint', `${JSON.stringify(path)} does not exist`);
    if (info.isDirectory()) path = join(path, CHECKPOINT_FILE);
    const checkpoint = decodeCheckpoint(await readFile(path).catch((e: Error) => Promise.reject(new DiffspecInputError('--checkpoint', e.message))), path);
    const { model, config } = checkpoint;
    const { sampler, eta, seed } = options;
    const schedule = scheduleTables(config.schedule);
    const steps = options.steps ?? (sampler === 'ddpm' ? schedule.T : Math.min(50, schedule.T));
    if (sampler === 'ddpm') requireInput(steps === schedule.T, '--steps', `ddpm takes all T = ${schedule.T} steps; use --sampler ddim for fewer`);
    const timesteps = respacedTimesteps(schedule.T, steps);
    const isImage = model.architecture !== 'mlp';
    const n = options.n ?? (isImage ? 64 : 1000);
    const which = options.weights ?? (checkpoint.state.ema ? 'ema' : 'params');
    const weights = which === 'ema' ? checkpoint.state.ema : checkpoint.state.params;
    requireInput(weights !== undefined, '--weights', 'ema: this checkpoint keeps no EMA of the weights (trained with --ema 0)');
    const { backend, training } = await trainingBackend('backend', options.backend, 'run models');
    const shape = [n, ...architectureOf(model).itemShape(model)];
    const denoiser = await training.denoiser(model, weights, schedule.T);
    const started = performance.now();
    const samples = await (sampler === 'ddpm'
      ? backend.sampleDdpm({ schedule, shape, model: denoiser.model, seed })
      : backend.sampleDdim({ schedule, shape, model: denoiser.model, seed, timesteps, options: { eta } })
    ).finally(() => denoiser.dispose());
    const seconds = (performance.now() - started) / 1000;
    process.stderr.write(`${sampler}: ${timesteps.length} steps for ${n} samples in ${seconds.toFixed(1)} s (${(timesteps.length / seconds).toFixed(1)} steps/s) on ${backend.name}\n`);
    const out = options.out ?? join(dirname(path), isImage ? 'samples.png' : 'samples.svg');
    if (isImage) {
      await writeFileAtomic(out, await imageGridPng(samples, Math.ceil(Math.sqrt(n))));
      process.stderr.write(`image grid ${out}\n`);
    } else {
      const data = await loadData(config.data);
      const reference = Float64Array.from(data.data.subarray(0, Math.min(data.data.length, 2 * n)));
      const kl = knnKlDivergence(reference, Float64Array.from(samples.data), 2, 5);
      const svg = await renderSvg(scatterSpec(reference, Float64Array.from(samples.data), `${n} ${sampler} samples (${timesteps.length} steps) vs data: kNN KL(data || samples) = ${kl.toFixed(3)}`));
      const svgPath = extname(out) === '.png' ? out.slice(0, -4) + '.svg' : out;
      await writeFileAtomic(svgPath, svg);
      await writeFileAtomic(svgPath.replace(/\.svg$/, '') + '.png', await svgToPng(svg));
      process.stdout.write(`${JSON.stringify({ sampler, steps: timesteps.length, n, knnKlDataToSamples: kl, k: 5 })}\n`);
      process.stderr.write(`scatter ${svgPath} and .png\n`);
    }
    await backend.dispose?.();
    return 0;
  },
});
