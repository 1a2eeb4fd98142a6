import { resolveBackend } from '../../contract/registry.js';
import { writeFileAtomic } from '../../files.js';
import { SEED_SCHEDULE, type ScheduleSpec } from '../../schedule/spec.js';
import { integerOption, integerValue, listOption, parseArgs, single } from '../args.js';
import { UsageError, type Command } from '../command.js';

const USAGE = `Usage: diffspec forward [--image FILE] [--schedule linear|cosine|quadratic] [--T 100] [--steps 0,10,50,100]
                        [--size WxH] [--closed-form] [--seed N] [--backend NAME] [--out strip.png]

Runs the forward (noising) Markov chain on an image and saves the strip of x_t at the chosen steps,
each titled by its step. Defaults are the seed's: T = 100, betas = linspace(1e-4, 0.06, 100).

Options:
  --image FILE      a PNG or JPEG, scaled to [-1, 1] (default: a small built-in picture)
  --schedule KIND   linear (1e-4 .. 0.06), quadratic (same ends) or cosine (s = 0.008); default linear
  --T N             number of diffusion steps (default 100)
  --steps LIST      comma-separated steps to show, 0..T (default 0,10,50,100, clipped to T)
  --size WxH        resize the image first, e.g. 1334x819 as the seed does (default: its own size)
  --closed-form     draw x_t directly from q(x_t | x_0) instead of running the chain, for comparison
  --seed N          noise seed (default 0)
  --backend NAME    backend that runs the chain (default cpu)
  --out FILE        where to write the PNG (default forward-strip.png)`;

function scheduleOf(kind: string, T: number): ScheduleSpec {
  const { betaStart, betaEnd } = SEED_SCHEDULE as { betaStart: number; betaEnd: number };
  if (kind === 'linear' || kind === 'quadratic') return { kind, T, betaStart, betaEnd };
  if (kind === 'cosine') return { kind, T };
  throw new UsageError(`--schedule must be linear, cosine or quadratic, got ${JSON.stringify(kind)}`);
}

export const forwardCommand: Command = {
  name: 'forward',
  summary: 'noise an image with the forward chain and save the strip of x_t by step',
  usage: USAGE,
  async run(argv) {
    const args = parseArgs(argv, ['image', 'schedule', 'T', 'steps', 'size', 'seed', 'backend', 'out'], ['closed-form']);
    const T = integerOption(args, 'T', 100, 1);
    const schedule = scheduleOf(single(args, 'schedule', 'linear')!, T);
    const stepsArg = single(args, 'steps');
    const steps = stepsArg ? listOption(args, 'steps').map((s) => integerValue(s, 'steps', 0)) : [...new Set([0, 10, 50, 100].map((s) => Math.min(s, T)))];
    const bad = steps.find((s) => s > T);
    if (bad !== undefined) throw new UsageError(`--steps: ${bad} is beyond --T ${T}`);
    const sizeArg = single(args, 'size');
    const sizeMatch = sizeArg?.match(/^(\d+)x(\d+)$/);
    if (sizeArg && !sizeMatch) throw new UsageError(`--size must look like 1334x819, got ${JSON.stringify(sizeArg)}`);
    const size = sizeMatch ? { width: integerValue(sizeMatch[1], 'size', 1), height: integerValue(sizeMatch[2], 'size', 1) } : undefined;
    const seed = integerOption(args, 'seed', 0, 0);
    const out = single(args, 'out', 'forward-strip.png')!;
    const closedForm = args.flags.has('closed-form');

    const [{ defaultImagePath, forwardFrames, loadImage, stripSvg, svgToPng }] = await Promise.all([import('../../forward/strip.js'), import('../../../backends/index.js')]);
    const resolution = await resolveBackend(single(args, 'backend', 'cpu')!);
    if ('skipped' in resolution) {
      process.stderr.write(`diffspec forward: backend ${resolution.name} cannot run here: ${resolution.skipped}\n`);
      return 1;
    }
    const image = single(args, 'image') ?? defaultImagePath();
    const x0 = await loadImage(image, size);
    const frames = await forwardFrames({ backend: resolution.backend, x0, schedule, steps, seed, closedForm });
    const title = `${closedForm ? 'q(x_t | x_0), closed form' : 'forward chain'}: ${schedule.kind} schedule, T = ${T}, backend ${resolution.name}`;
    await writeFileAtomic(out, await svgToPng(await stripSvg(frames, title)));
    process.stdout.write(`wrote ${out} (${x0.shape[3]}x${x0.shape[2]}, steps ${steps.join(', ')})\n`);
    return 0;
  },
};
