import type { TrainerState, TrainOptions } from '../contract/training.js';
import { TOY_DATASETS } from '../data/toy2d.js';
import { requireInput } from '../errors.js';
import type { ModelSpec } from '../models/spec.js';
import { decodeWeights, encodeWeights } from '../models/weights.js';
import { parseScheduleSpec, type ScheduleSpec } from '../schedule/spec.js';
import { checkTrainOptions } from './options.js';

/** Where the training items come from: a built-in 2-D set (regenerated from its seed) or a folder of images. */
export type DataSource =
  | { kind: 'toy'; name: string; points: number; seed: number }
  | { kind: 'images'; folder: string; size: number }
  | { kind: 'fashion-mnist'; size: number };

export interface RunConfig {
  data: DataSource;
  schedule: ScheduleSpec;
  batch: number;
  options: TrainOptions;
}

/**
 * A training run's checkpoint: the model, the run's settings, the trainer's state and the loss of every step so far.
 */
export interface Checkpoint {
  model: ModelSpec;
  config: RunConfig;
  state: TrainerState;
  losses: number[];
}

/** A checkpoint in the diffspec weights format (docs/weights-format.md): groups params, adam.m, adam.v and ema. */
export function encodeCheckpoint(c: Checkpoint): Buffer {
  const groups = {
    params: c.state.params,
    'adam.m': c.state.m,
    'adam.v': c.state.v,
    ...(c.state.ema ? { ema: c.state.ema } : {}),
  };
  return encodeWeights({
    model: c.model,
    groups,
    meta: { kind: 'checkpoint', step: c.state.step, config: c.config, losses: c.losses },
  });
}

function parseDataSource(value: unknown, field: string): DataSource {
  const d = value as Record<string, unknown> | null;
  requireInput(d !== null && typeof d === 'object', field, 'must be an object');
  if (d.kind === 'toy') {
    requireInput(TOY_DATASETS.includes(d.name as never), `${field}.name`, `must be one of ${TOY_DATASETS.join(', ')}`);
    requireInput(
      Number.isInteger(d.points) && (d.points as number) > 0 && Number.isSafeInteger(d.seed),
      field,
      'needs integer points and seed',
    );
    return { kind: 'toy', name: d.name as string, points: d.points as number, seed: d.seed as number };
  }
  if (d.kind === 'fashion-mnist') {
    requireInput(Number.isInteger(d.size) && (d.size as number) > 0, `${field}.size`, 'must be a positive integer');
    return { kind: 'fashion-mnist', size: d.size as number };
  }
  requireInput(
    d.kind === 'images' && typeof d.folder === 'string' && Number.isInteger(d.size) && (d.size as number) > 0,
    field,
    'must be {kind: "toy", ...}, {kind: "images", folder, size} or {kind: "fashion-mnist", size}',
  );
  return { kind: 'images', folder: d.folder as string, size: d.size as number };
}

/** Decodes and validates a checkpoint; every problem is a DiffspecInputError naming `field`. */
export function decodeCheckpoint(bytes: Uint8Array, field = 'checkpoint'): Checkpoint {
  const file = decodeWeights(bytes, field);
  const meta = file.meta;
  requireInput(meta.kind === 'checkpoint', `${field}.meta.kind`, 'is not "checkpoint": this file holds weights only');
  requireInput(
    Number.isInteger(meta.step) && (meta.step as number) >= 0,
    `${field}.meta.step`,
    'must be an integer >= 0',
  );
  for (const group of ['adam.m', 'adam.v'])
    requireInput(file.groups[group] !== undefined, field, `holds no "${group}" tensors`);
  const config = meta.config as Record<string, unknown> | undefined;
  requireInput(config !== null && typeof config === 'object', `${field}.meta.config`, 'is missing');
  const options = config.options as TrainOptions;
  checkTrainOptions(options, `${field}.meta.config.options`);
  requireInput(
    Number.isInteger(config.batch) && (config.batch as number) > 0,
    `${field}.meta.config.batch`,
    'must be a positive integer',
  );
  const losses = meta.losses as unknown;
  requireInput(
    Array.isArray(losses) && losses.length === meta.step && losses.every((l) => typeof l === 'number'),
    `${field}.meta.losses`,
    `must hold one number per step (${meta.step})`,
  );
  return {
    model: file.model,
    config: {
      data: parseDataSource(config.data, `${field}.meta.config.data`),
      schedule: parseScheduleSpec(config.schedule, `${field}.meta.config.schedule`),
      batch: config.batch as number,
      options,
    },
    state: {
      step: meta.step as number,
      params: file.groups.params,
      m: file.groups['adam.m'],
      v: file.groups['adam.v'],
      ema: file.groups.ema,
    },
    losses: losses as number[],
  };
}
