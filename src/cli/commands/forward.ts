import { DiffspecInputError } from '../../errors.js';
import { writeFileAtomic } from '../../files.js';
import { type ScheduleSpec, SEED_SCHEDULE } from '../../schedule/spec.js';
import { runnableBackend } from '../backend.js';
import { defineCommand, UsageError } from '../command.js';
import { flag, option } from '../options.js';
import { integer, oneOf, text, type ValueType } from '../values.js';

export const SCHEDULE_KINDS = ['linear', 'cosine', 'quadratic'] as const;
const DEFAULT_STEPS = [0, 10, 50, 100];

/** An image size "WxH", e.g. 1334x819. */
const imageSize: ValueType<{ width: number; height: number }> = {
  placeholder: 'WxH',
  expected: 'WIDTHxHEIGHT in pixels, e.g. 1334x819',
  help: '',
  parse: (raw) => {
    const match = raw.match(/^([1-9]\d*)x([1-9]\d*)$/);
    return match ? { width: Number(match[1]), height: Number(match[2]) } : undefined;
  },
};

/** A schedule of the given kind and length, with the seed's betas for linear and quadratic. */
export function scheduleOf(kind: (typeof SCHEDULE_KINDS)[number], T: number): ScheduleSpec {
  const { betaStart, betaEnd } = SEED_SCHEDULE as { betaStart: number; betaEnd: number };
  return kind === 'cosine' ? { kind, T } : { kind, T, betaStart, betaEnd };
}

export const forwardCommand = defineCommand({
  name: 'forward',
  summary: 'noise an image with the forward chain and save the strip of x_t by step',
  description: `Runs the forward (noising) Markov chain on an image and saves the strip of x_t at the chosen steps,
each titled by its step. Defaults are the seed's: T = 100, betas = linspace(1e-4, 0.06, 100).`,
  options: {
    image: option(text('FILE'), { defaultText: 'a built-in picture', description: 'a PNG or JPEG, scaled to [-1, 1]' }),
    schedule: option(oneOf(SCHEDULE_KINDS), {
      default: 'linear',
      description: 'linear (1e-4 .. 0.06), quadratic (same ends) or cosine (s = 0.008)',
    }),
    T: option(integer(1), { default: 100, description: 'number of diffusion steps' }),
    steps: option(integer(0), {
      list: true,
      description: 'steps to show, 0..T',
      defaultText: `${DEFAULT_STEPS.join(',')}, clipped to T`,
    }),
    size: option(imageSize, { defaultText: 'its own size', description: 'resize the image first (seed: 1334x819)' }),
    'closed-form': flag('draw x_t directly from q(x_t | x_0) instead of running the chain, for comparison'),
    seed: option(integer(0), { default: 0, description: 'noise seed' }),
    backend: option(text('NAME'), { default: 'cpu', description: 'backend that runs the chain' }),
    out: option(text('FILE'), { default: 'forward-strip.png', description: 'where to write the PNG' }),
  },
  exitStatus: { 0: 'the strip was written', 1: 'the image cannot be read, or the backend cannot run here' },
  examples: ['diffspec forward --size 1334x819 --steps 0,10,50,100 --out strip.png'],
  async run(options) {
    const { T, seed, out, size } = options;
    const closedForm = options['closed-form'];
    const schedule = scheduleOf(options.schedule, T);
    const steps = options.steps.length > 0 ? options.steps : [...new Set(DEFAULT_STEPS.map((s) => Math.min(s, T)))];
    const bad = steps.find((s) => s > T);
    if (bad !== undefined) throw new UsageError(`--steps: ${bad} is beyond --T ${T}`);

    const backend = await runnableBackend('backend', options.backend);
    const { defaultImagePath, forwardFrames, loadImage, stripSvg, svgToPng } = await import('../../forward/strip.js');
    const x0 = await loadImage(options.image ?? defaultImagePath(), size).catch((e: Error) =>
      Promise.reject(new DiffspecInputError('--image', `cannot read ${options.image}: ${e.message}`)),
    );
    const frames = await forwardFrames({ backend, x0, schedule, steps, seed, closedForm });
    const chain = closedForm ? 'q(x_t | x_0), closed form' : 'forward chain';
    const title = `${chain}: ${schedule.kind} schedule, T = ${T}, backend ${backend.name}`;
    await writeFileAtomic(out, await svgToPng(await stripSvg(frames, title)));
    process.stdout.write(`wrote ${out} (${x0.shape[3]}x${x0.shape[2]}, steps ${steps.join(', ')})\n`);
    return 0;
  },
});
