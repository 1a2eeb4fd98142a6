import { readFile, stat } from 'node:fs/promises';
import { dirname, extname, join } from 'node:path';
import '../../../backends/index.js';
import { resolveBackend } from '../../contract/registry.js';
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
import { parseArgs, single } from '../args.js';
import { UsageError, type Command } from '../command.js';
import { CHECKPOINT_FILE } from './train.js';

const USAGE = `Usage: diffspec sample --checkpoint FILE|DIR [--sampler ddpm|ddim] [--steps K] [--out FILE] [options]

Draws samples from a trained model. Image models write a grid (PNG); 2-D models write a scatter plot of the
samples against the training data (SVG and PNG) and print the k-nearest-neighbour KL estimate (k = 5,
Wang, Kulkarni & Verdu 2009) of KL(data || samples).

Options:
  --checkpoint FILE|DIR   a checkpoint written by diffspec train, or its run folder
  --sampler NAME          ddpm (ancestral, all T steps; default) or ddim
  --steps K               DDIM steps, evenly spaced over 1..T (default 50, at most T); ddpm always takes T
  --eta X                 DDIM eta in [0, 1] (default 0: deterministic)
  --n N                   number of samples (default 64 images, 1000 points)
  --weights ema|params    which weights to use (default ema when the checkpoint has them)
  --seed N                sampling seed (default 0)
  --backend NAME          backend to sample on (default cpu)
  --out FILE              output (default samples.png for images, samples.svg (+ .png) for points, next to the checkpoint)`;

export const sampleCommand: Command = {
  name: 'sample',
  summary: 'sample a trained model with DDPM or DDIM: an image grid or a 2-D scatter against the data',
  usage: USAGE,
  async run(argv) {
    const args = parseArgs(argv, ['checkpoint', 'sampler', 'steps', 'eta', 'n', 'weights', 'seed', 'backend', 'out']);
    let path = single(args, 'checkpoint');
    if (!path) throw new UsageError('--checkpoint FILE|DIR is required');
    const info = await stat(path).catch(() => undefined);
    requireInput(info !== undefined, '--checkpoint', `${JSON.stringify(path)} does not exist`);
    if (info.isDirectory()) path = join(path, CHECKPOINT_FILE);
    const checkpoint = decodeCheckpoint(await readFile(path).catch((e: Error) => Promise.reject(new DiffspecInputError('--checkpoint', e.message))), path);
    const { model, config } = checkpoint;
    const sampler = single(args, 'sampler', 'ddpm')!;
    if (sampler !== 'ddpm' && sampler !== 'ddim') throw new UsageError(`--sampler must be ddpm or ddim, got ${JSON.stringify(sampler)}`);
    const schedule = scheduleTables(config.schedule);
    const stepsRaw = single(args, 'steps');
    const steps = stepsRaw === undefined ? (sampler === 'ddpm' ? schedule.T : Math.min(50, schedule.T)) : Number(stepsRaw);
    if (sampler === 'ddpm') requireInput(steps === schedule.T, '--steps', `ddpm takes all T = ${schedule.T} steps; use --sampler ddim for fewer`);
    const timesteps = respacedTimesteps(schedule.T, steps);
    const eta = Number(single(args, 'eta', '0'));
    requireInput(eta >= 0 && eta <= 1, '--eta', `must be a number in [0, 1], got ${single(args, 'eta')}`);
    const isImage = model.architecture !== 'mlp';
    const n = Number(single(args, 'n', isImage ? '64' : '1000'));
    requireInput(Number.isInteger(n) && n >= 1, '--n', `must be an integer >= 1, got ${single(args, 'n')}`);
    const seed = Number(single(args, 'seed', '0'));
    requireInput(Number.isSafeInteger(seed) && seed >= 0, '--seed', `must be an integer >= 0, got ${single(args, 'seed')}`);
    const which = single(args, 'weights', checkpoint.state.ema ? 'ema' : 'params');
    requireInput(which === 'ema' || which === 'params', '--weights', `must be ema or params, got ${JSON.stringify(which)}`);
    const weights = which === 'ema' ? checkpoint.state.ema : checkpoint.state.params;
    requireInput(weights !== undefined, '--weights', 'ema: this checkpoint keeps no EMA of the weights (trained with --ema 0)');
    const resolution = await resolveBackend(single(args, 'backend', 'cpu')!);
    if ('skipped' in resolution) throw new DiffspecInputError('--backend', `${resolution.name} cannot run here: ${resolution.skipped}`);
    const backend = resolution.backend;
    const training = backend.training;
    requireInput(training !== undefined, '--backend', `${backend.name} cannot run models (it lacks the 'training' capability)`);
    const shape = [n, ...architectureOf(model).itemShape(model)];
    const denoiser = await training.denoiser(model, weights, schedule.T);
    const started = performance.now();
    const samples = await (sampler === 'ddpm'
      ? backend.sampleDdpm({ schedule, shape, model: denoiser.model, seed })
      : backend.sampleDdim({ schedule, shape, model: denoiser.model, seed, timesteps, options: { eta } })
    ).finally(() => denoiser.dispose());
    const seconds = (performance.now() - started) / 1000;
    process.stderr.write(`${sampler}: ${timesteps.length} steps for ${n} samples in ${seconds.toFixed(1)} s (${(timesteps.length / seconds).toFixed(1)} steps/s) on ${backend.name}\n`);
    const out = single(args, 'out', join(dirname(path), isImage ? 'samples.png' : 'samples.svg'))!;
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
};
