import { FASHION_MNIST_SIZES } from '../../data/fashion-mnist.js';
import { TOY_DATASETS } from '../../data/toy2d.js';
import { MLP_DEFAULTS } from '../../models/mlp.js';
import { ARCHITECTURE_NAMES } from '../../models/spec.js';
import { DDPM_SCHEDULE, SEED_SCHEDULE } from '../../schedule/spec.js';
import { flag, type OptionValues, option } from '../options.js';
import { integer, number, oneOf, text } from '../values.js';

/** The noise schedules `--schedule` names. */
export const SCHEDULES = { seed: SEED_SCHEDULE, ddpm: DDPM_SCHEDULE };

/** diffspec train's options; those in RUN_OPTIONS define the run and come from the checkpoint on resume. */
export const TRAIN_OPTIONS = {
  model: option(oneOf(ARCHITECTURE_NAMES), {
    default: 'mlp',
    description:
      "mlp (2-D points); for images simple-conv (the seed's SimpleDenoiseModel), unet, unet-attn (self-attention " +
      'at the lowest resolution) or dit (a Diffusion Transformer)',
  }),
  data: option(text('NAME|FOLDER'), {
    description:
      `a built-in 2-D set (${TOY_DATASETS.join(', ')}), fashion-mnist (Debian's dataset-fashion-mnist, ` +
      `--size ${FASHION_MNIST_SIZES.join(' or ')}, with its 10 classes) or a folder of PNG/JPEG images`,
    defaultText: 'two-moons for mlp; image models need one',
  }),
  points: option(integer(2), { default: 10000, description: 'points drawn from a built-in 2-D set' }),
  size: option(integer(1), { default: 32, description: 'images are resized to N x N (fashion-mnist: 16 or 32)' }),
  'class-conditional': flag("condition the model on the data's class labels, with a null class for guidance"),
  'p-uncond': option(number({ min: 0, max: 1 }), {
    default: 0.1,
    description: 'with --class-conditional: drop a label to the null class with probability X (Ho & Salimans 2022)',
  }),
  steps: option(integer(1), {
    description: 'train until step N (a resumed run may raise it)',
    defaultText: '3000 for mlp, 1000 for simple-conv',
  }),
  batch: option(integer(1), { description: 'batch size', defaultText: '256 for mlp, 8 for simple-conv' }),
  lr: option(number({ above: 0 }), { defaultText: '1e-3 for mlp, 2e-4 for simple-conv', description: 'learning rate' }),
  clip: option(number({ min: 0 }), { default: 1, description: 'clip the global gradient norm to X (0 turns it off)' }),
  ema: option(number({ min: 0, below: 1 }), {
    default: 0.999,
    description: 'keep an EMA of the weights with decay X (0 turns it off)',
  }),
  schedule: option(oneOf(Object.keys(SCHEDULES) as (keyof typeof SCHEDULES)[]), {
    default: 'seed',
    description: 'seed (linear 1e-4..0.06, T = 100) or ddpm (linear 1e-4..0.02, T = 1000)',
  }),
  hidden: option(integer(1), { default: MLP_DEFAULTS.hidden, description: 'mlp width' }),
  layers: option(integer(1), { default: MLP_DEFAULTS.layers, description: 'mlp depth' }),
  seed: option(integer(0), { default: 0, description: 'seed of initialisation, batches, timesteps and noise' }),
  'checkpoint-every': option(integer(1), { default: 500, description: 'steps between checkpoints' }),
  backend: option(text('NAME'), { default: 'cpu', description: "backend to train on (with 'training' capability)" }),
  out: option(text('DIR'), { default: 'run', description: 'run folder: the checkpoint, then the loss curve' }),
};

export type TrainValues = OptionValues<typeof TRAIN_OPTIONS>;

/** The options that define a run: a resumed run keeps the checkpoint's, and an explicit different one is an error. */
export const RUN_OPTIONS = [
  'model',
  'data',
  'points',
  'size',
  'class-conditional',
  'p-uncond',
  'batch',
  'lr',
  'clip',
  'ema',
  'schedule',
  'hidden',
  'layers',
  'seed',
] as const satisfies readonly (keyof typeof TRAIN_OPTIONS)[];

/** A run's defining options; undefined where one does not apply (--points to a run on images). */
export type RunRecord = Record<(typeof RUN_OPTIONS)[number], string | number | boolean | undefined>;
