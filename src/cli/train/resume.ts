import { readFile, stat } from 'node:fs/promises';
import type { TrainOptions } from '../../contract/training.js';
import { TOY_DATASETS } from '../../data/toy2d.js';
import { DEFAULT_ADAM } from '../../equations/adam.js';
import { DiffspecInputError, requireInput } from '../../errors.js';
import { defaultModelSpec, type ModelSpec } from '../../models/spec.js';
import { type Checkpoint, type DataSource, decodeCheckpoint, type RunConfig } from '../../training/checkpoint.js';
import { UsageError } from '../usage-error.js';
import { RUN_OPTIONS, type RunRecord, SCHEDULES, type TrainValues } from './options.js';

/** Where training starts: a checkpoint to resume, or a new run; `model` still lacks the data's item shape. */
export type RunStart =
  | { saved: Checkpoint; config: RunConfig }
  | { saved?: undefined; config: RunConfig; model: ModelSpec };

/** The run the command line asks for, when no checkpoint exists yet. */
function requestedRun(v: TrainValues): { model: ModelSpec; config: RunConfig } {
  const isMlp = v.model === 'mlp';
  const dataName = v.data ?? (isMlp ? 'two-moons' : undefined);
  const needed = `--data (fashion-mnist or a folder of PNG/JPEG images) is required for ${v.model}`;
  if (dataName === undefined) throw new UsageError(needed);
  const data: DataSource = TOY_DATASETS.includes(dataName as never)
    ? { kind: 'toy', name: dataName, points: v.points, seed: v.seed }
    : dataName === 'fashion-mnist'
      ? { kind: 'fashion-mnist', size: v.size }
      : { kind: 'images', folder: dataName, size: v.size };
  const options: TrainOptions = {
    adam: { ...DEFAULT_ADAM, learningRate: v.lr ?? (isMlp ? 1e-3 : 2e-4) },
    seed: v.seed,
    ...(v.clip > 0 ? { clipGradNorm: v.clip } : {}),
    ...(v.ema > 0 ? { emaDecay: v.ema } : {}),
    ...(v['class-conditional'] ? { pUncond: v['p-uncond'] } : {}),
  };
  // The data's item shape completes the model once the data is loaded (withItemShape).
  const mlpSize = isMlp ? { hidden: v.hidden, layers: v.layers } : {};
  // classes: 1 marks a class-conditional request; withItemShape sets the data's class count.
  const model = { architecture: v.model, ...mlpSize, ...(v['class-conditional'] ? { classes: 1 } : {}) } as ModelSpec;
  return { model, config: { data, schedule: SCHEDULES[v.schedule], batch: v.batch ?? (isMlp ? 256 : 8), options } };
}

/**
 * The architecture's default spec for these items, with the command line's mlp width and depth, and the data's
 * class count for a class-conditional request (an error for data without labels or an architecture without classes).
 */
export function withItemShape(requested: ModelSpec, itemShape: readonly number[], classes?: number): ModelSpec {
  const base = defaultModelSpec(requested.architecture, itemShape);
  const mlpSize = base.architecture === 'mlp' && requested.architecture === 'mlp';
  if (!('classes' in requested && requested.classes > 0))
    return mlpSize
      ? {
          ...base,
          hidden: requested.hidden,
          layers: requested.layers,
        }
      : base;
  requireInput('classes' in base, '--class-conditional', `needs unet, unet-attn or dit, got ${requested.architecture}`);
  requireInput(classes !== undefined, '--class-conditional', 'needs labelled data (--data fashion-mnist)');
  return { ...base, classes };
}

/** A saved run's defining options, as the command line would have given them. */
function savedRecord({ model, config }: Checkpoint): RunRecord {
  const { data, options } = config;
  const schedule = Object.entries(SCHEDULES).find(([, s]) => JSON.stringify(s) === JSON.stringify(config.schedule));
  return {
    model: model.architecture,
    data: data.kind === 'toy' ? data.name : data.kind === 'images' ? data.folder : data.kind,
    points: data.kind === 'toy' ? data.points : undefined,
    size: data.kind === 'toy' ? undefined : data.size,
    'class-conditional': 'classes' in model && model.classes > 0,
    'p-uncond': options.pUncond ?? 0,
    batch: config.batch,
    lr: options.adam.learningRate,
    clip: options.clipGradNorm ?? 0,
    ema: options.emaDecay ?? 0,
    schedule: schedule ? schedule[0] : JSON.stringify(config.schedule),
    hidden: model.architecture === 'mlp' ? model.hidden : undefined,
    layers: model.architecture === 'mlp' ? model.layers : undefined,
    seed: options.seed,
  };
}

/** The fields of `requested` (only those given) whose value differs from `saved`'s. */
function differingFields<K extends string>(requested: Partial<Record<K, unknown>>, saved: Record<K, unknown>): K[] {
  return (Object.keys(requested) as K[]).filter((k) => requested[k] !== saved[k]);
}

/** A resumed run keeps its settings: options given that disagree with the checkpoint are an error, all named. */
function checkResumeAgrees(values: TrainValues, given: ReadonlySet<string>, saved: Checkpoint, dir: string): void {
  const givenRunOptions = RUN_OPTIONS.filter((o) => given.has(o));
  const requested: Partial<RunRecord> = Object.fromEntries(givenRunOptions.map((o) => [o, values[o]]));
  const savedValues = savedRecord(saved);
  const differing = differingFields(requested, savedValues);
  if (differing.length === 0) return;
  const shown = (v: unknown) => (v === undefined ? 'none' : String(v));
  const list = differing.map((o) => `--${o} ${shown(requested[o])} (the checkpoint's: ${shown(savedValues[o])})`);
  const names = differing.map((o) => `--${o}`).join(', ');
  throw new DiffspecInputError(
    `--${differing[0]}`,
    `${dir} holds a checkpoint of another run: ${list.join(', ')}; resume it without ${names}, or choose another --out`,
  );
}

async function readCheckpoint(path: string): Promise<Checkpoint | undefined> {
  const info = await stat(path).catch(() => undefined);
  if (!info) return undefined;
  try {
    return decodeCheckpoint(await readFile(path), path);
  } catch (e) {
    if (!(e instanceof DiffspecInputError)) throw e;
    const detail = e.message.slice(e.field.length + 2);
    const advice = 'the file is left as it is; move it away or choose another --out';
    throw new DiffspecInputError(e.field, `${detail} (${advice})`);
  }
}

/** Resumes the run saved at `checkpointPath` (checked against the options given), or starts the one asked for. */
export async function startOrResume(
  values: TrainValues,
  given: ReadonlySet<string>,
  checkpointPath: string,
): Promise<RunStart> {
  const saved = await readCheckpoint(checkpointPath);
  if (!saved) return requestedRun(values);
  checkResumeAgrees(values, given, saved, values.out);
  return { saved, config: saved.config };
}
