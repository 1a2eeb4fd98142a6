import { mkdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import '../../../backends/index.js';
import type { DiffusionBackend } from '../../contract/backend.js';
import { resolveBackend } from '../../contract/registry.js';
import type { TrainOptions } from '../../contract/training.js';
import { loadData } from '../../data/load.js';
import { TOY_DATASETS } from '../../data/toy2d.js';
import { DiffspecInputError, requireInput } from '../../errors.js';
import { DEFAULT_ADAM } from '../../equations/adam.js';
import { lossCurveSpec, renderSvg, svgToPng } from '../../figures/charts.js';
import { writeFileAtomic } from '../../io/atomic.js';
import { initialWeights, zerosLike } from '../../models/init.js';
import { ARCHITECTURE_NAMES, defaultModelSpec, type ModelSpec } from '../../models/spec.js';
import { DDPM_SCHEDULE, SEED_SCHEDULE, type ScheduleSpec } from '../../schedule/spec.js';
import { scheduleTables } from '../../schedule/tables.js';
import { sampleBatch } from '../../training/batches.js';
import { decodeCheckpoint, encodeCheckpoint, type Checkpoint, type DataSource, type RunConfig } from '../../training/checkpoint.js';
import { parseArgs, single, type ParsedArgs } from '../args.js';
import { UsageError, type Command } from '../command.js';

export const CHECKPOINT_FILE = 'checkpoint.dspw';

const USAGE = `Usage: diffspec train [--model mlp|simple-conv] [--data NAME|FOLDER] [--steps N] [--out DIR] [options]

Trains a denoiser with L_simple (Ho et al. 2020, Algorithm 1) and Adam. Every --checkpoint-every steps, and at
the end, DIR/${CHECKPOINT_FILE} is replaced atomically; running again with the same DIR resumes from it (the
run's settings come from the checkpoint; --steps may raise the target). Ctrl-C saves a checkpoint and stops.
At the end DIR/loss.svg and DIR/loss.png show the loss curve.

Options:
  --model NAME            mlp (2-D points, default) or simple-conv (the seed's SimpleDenoiseModel, images)
  --data NAME|FOLDER      ${TOY_DATASETS.join(', ')} (built in, default two-moons), or a folder of PNG/JPEG images
  --points N              points drawn from a built-in 2-D set (default 10000)
  --size N                images are resized to N x N (default 32)
  --steps N               train until step N (default 3000 for mlp, 1000 for simple-conv)
  --batch N               batch size (default 256 for mlp, 8 for simple-conv)
  --lr X                  Adam learning rate (default 1e-3 for mlp, 2e-4 for simple-conv)
  --clip X                clip the global gradient norm to X (default 1; 0 turns it off)
  --ema X                 keep an EMA of the weights with decay X (default 0.999; 0 turns it off)
  --schedule NAME         seed (linear 1e-4..0.06, T = 100; default) or ddpm (linear 1e-4..0.02, T = 1000)
  --hidden N, --layers N  mlp width and depth (default 128 and 3)
  --seed N                seed of initialisation, batches, timesteps and noise (default 0)
  --checkpoint-every N    steps between checkpoints (default 500)
  --backend NAME          backend to train on (default cpu)
  --out DIR               run folder (default run)

Example:
  diffspec train --model mlp --out run/
  diffspec sample --checkpoint run/ --sampler ddim --steps 50`;

const SCHEDULES: Record<string, ScheduleSpec> = { seed: SEED_SCHEDULE, ddpm: DDPM_SCHEDULE };
/** Options that define a run: a resumed run must not be given different ones. */
const RUN_OPTIONS = ['model', 'data', 'points', 'size', 'batch', 'lr', 'clip', 'ema', 'schedule', 'hidden', 'layers', 'seed'];

function integer(args: ParsedArgs, name: string, fallback: number, min = 1): number {
  const raw = single(args, name);
  if (raw === undefined) return fallback;
  const v = Number(raw);
  if (!Number.isSafeInteger(v) || v < min) throw new UsageError(`--${name} must be an integer >= ${min}, got ${JSON.stringify(raw)}`);
  return v;
}

function number(args: ParsedArgs, name: string, fallback: number): number {
  const raw = single(args, name);
  if (raw === undefined) return fallback;
  const v = Number(raw);
  if (!Number.isFinite(v) || v < 0) throw new UsageError(`--${name} must be a number >= 0, got ${JSON.stringify(raw)}`);
  return v;
}

/** The run that the command line asks for, when no checkpoint exists yet. */
function requestedRun(args: ParsedArgs): { model: ModelSpec; config: RunConfig } {
  const architecture = single(args, 'model', 'mlp')!;
  if (!ARCHITECTURE_NAMES.includes(architecture as ModelSpec['architecture'])) throw new UsageError(`--model must be one of ${ARCHITECTURE_NAMES.join(', ')}, got ${JSON.stringify(architecture)}`);
  const isMlp = architecture === 'mlp';
  const dataName = single(args, 'data', isMlp ? 'two-moons' : undefined);
  if (dataName === undefined) throw new UsageError('--data FOLDER (of PNG/JPEG images) is required for simple-conv');
  const data: DataSource = TOY_DATASETS.includes(dataName as never)
    ? { kind: 'toy', name: dataName, points: integer(args, 'points', 10000, 2), seed: integer(args, 'seed', 0, 0) }
    : { kind: 'images', folder: dataName, size: integer(args, 'size', 32) };
  const scheduleName = single(args, 'schedule', 'seed')!;
  if (!(scheduleName in SCHEDULES)) throw new UsageError(`--schedule must be one of ${Object.keys(SCHEDULES).join(', ')}, got ${JSON.stringify(scheduleName)}`);
  const clip = number(args, 'clip', 1);
  const ema = number(args, 'ema', 0.999);
  if (ema >= 1) throw new UsageError(`--ema must be below 1, got ${ema}`);
  const options: TrainOptions = {
    adam: { ...DEFAULT_ADAM, learningRate: number(args, 'lr', isMlp ? 1e-3 : 2e-4) },
    seed: integer(args, 'seed', 0, 0),
    ...(clip > 0 ? { clipGradNorm: clip } : {}),
    ...(ema > 0 ? { emaDecay: ema } : {}),
  };
  // The data's item shape completes the model once the data is loaded (withItemShape).
  const model = (isMlp ? { architecture, hidden: integer(args, 'hidden', 128), layers: integer(args, 'layers', 3) } : { architecture }) as ModelSpec;
  return { model, config: { data, schedule: SCHEDULES[scheduleName], batch: integer(args, 'batch', isMlp ? 256 : 8), options } };
}

/** The architecture's default spec for these items, with the command line's mlp width and depth. */
function withItemShape(requested: ModelSpec, itemShape: readonly number[]): ModelSpec {
  const base = defaultModelSpec(requested.architecture, itemShape);
  return base.architecture === 'mlp' && requested.architecture === 'mlp' ? { ...base, hidden: requested.hidden, layers: requested.layers } : base;
}

function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  const m = Math.floor(seconds / 60);
  return m > 0 ? `${m}m${String(Math.round(seconds % 60)).padStart(2, '0')}s` : `${seconds.toFixed(0)}s`;
}

async function readCheckpoint(path: string): Promise<Checkpoint | undefined> {
  const info = await stat(path).catch(() => undefined);
  if (!info) return undefined;
  try {
    return decodeCheckpoint(await readFile(path), path);
  } catch (e) {
    if (e instanceof DiffspecInputError) throw new DiffspecInputError(e.field, `${e.message.slice(e.field.length + 2)} (the file is left as it is; move it away or choose another --out)`);
    throw e;
  }
}

/** A resumed run keeps its settings: an explicit option that disagrees is an error, never silently ignored. */
function checkResumeAgrees(args: ParsedArgs, saved: Checkpoint, requested: ReturnType<typeof requestedRun>, dir: string): void {
  const given = RUN_OPTIONS.filter((o) => args.values.has(o));
  const savedView = JSON.stringify({ model: saved.model.architecture, data: saved.config.data, batch: saved.config.batch, schedule: saved.config.schedule });
  for (const option of given) {
    const differs =
      (option === 'model' && requested.model.architecture !== saved.model.architecture) ||
      (option === 'data' && JSON.stringify(requested.config.data) !== JSON.stringify(saved.config.data)) ||
      (option === 'batch' && requested.config.batch !== saved.config.batch) ||
      (option === 'lr' && requested.config.options.adam.learningRate !== saved.config.options.adam.learningRate) ||
      (option === 'seed' && requested.config.options.seed !== saved.config.options.seed) ||
      (option === 'schedule' && JSON.stringify(requested.config.schedule) !== JSON.stringify(saved.config.schedule)) ||
      (option === 'clip' && requested.config.options.clipGradNorm !== saved.config.options.clipGradNorm) ||
      (option === 'ema' && requested.config.options.emaDecay !== saved.config.options.emaDecay) ||
      (option === 'points' && saved.config.data.kind === 'toy' && requested.config.data.kind === 'toy' && requested.config.data.points !== saved.config.data.points) ||
      (option === 'size' && saved.config.data.kind === 'images' && requested.config.data.kind === 'images' && requested.config.data.size !== saved.config.data.size) ||
      ((option === 'hidden' || option === 'layers') && saved.model.architecture === 'mlp' && requested.model.architecture === 'mlp' && requested.model[option] !== saved.model[option]);
    if (differs) throw new DiffspecInputError(`--${option}`, `${dir} holds a checkpoint of another run (${savedView}); resume it without --${option}, or choose another --out`);
  }
}

export const trainCommand: Command = {
  name: 'train',
  summary: 'train a denoiser (mlp or simple-conv) with checkpoints, resume and a loss curve',
  usage: USAGE,
  async run(argv) {
    const args = parseArgs(argv, ['model', 'data', 'points', 'size', 'steps', 'batch', 'lr', 'clip', 'ema', 'schedule', 'hidden', 'layers', 'seed', 'checkpoint-every', 'backend', 'out']);
    const dir = single(args, 'out', 'run')!;
    const requested = requestedRun(args);
    await mkdir(dir, { recursive: true });
    const checkpointPath = join(dir, CHECKPOINT_FILE);
    const saved = await readCheckpoint(checkpointPath);
    if (saved) checkResumeAgrees(args, saved, requested, dir);
    const data = await loadData(saved?.config.data ?? requested.config.data);
    const itemShape = data.shape.slice(1);
    const model = saved?.model ?? withItemShape(requested.model, itemShape);
    const config = saved?.config ?? requested.config;
    const steps = integer(args, 'steps', model.architecture === 'mlp' ? 3000 : 1000);
    const every = integer(args, 'checkpoint-every', 500);
    const resolution = await resolveBackend(single(args, 'backend', 'cpu')!);
    if ('skipped' in resolution) throw new DiffspecInputError('--backend', `${resolution.name} cannot run here: ${resolution.skipped}`);
    const backend: DiffusionBackend = resolution.backend;
    requireInput(backend.training !== undefined, '--backend', `${backend.name} cannot train (it lacks the 'training' capability)`);
    const schedule = scheduleTables(config.schedule);
    const params = saved?.state.params ?? initialWeights(model, config.options.seed);
    const state = saved?.state ?? { step: 0, params, m: zerosLike(params), v: zerosLike(params), ema: config.options.emaDecay !== undefined ? params : undefined };
    const losses = [...(saved?.losses ?? [])];
    const trainer = await backend.training.createTrainer(model, schedule, state, config.options);
    const log = process.stderr;
    log.write(`${saved ? `resuming ${checkpointPath} at step ${state.step}` : `new run in ${dir}`}: ${model.architecture} on ${data.shape[0]} items of [${itemShape.join(', ')}], backend ${backend.name}, batch ${config.batch}, until step ${steps}\n`);
    const save = async () => writeFileAtomic(checkpointPath, encodeCheckpoint({ model, config, state: await trainer.state(), losses }));
    let interrupted = false;
    const onInterrupt = () => (interrupted = true);
    process.once('SIGINT', onInterrupt);
    try {
      const started = performance.now();
      const first = state.step;
      let step = state.step;
      let recent = 0;
      while (step < steps && !interrupted) {
        const result = await trainer.step(sampleBatch(data, config.batch, config.options.seed, step + 1));
        // A diverged run must not overwrite the last good checkpoint with non-finite weights.
        if (!Number.isFinite(result.loss) || !Number.isFinite(result.gradNorm)) {
          throw new DiffspecInputError('--lr', `training diverged at step ${result.step} (loss ${result.loss}, gradient norm ${result.gradNorm}); ${checkpointPath} keeps the last good state; lower --lr or set --clip`);
        }
        step = result.step;
        losses.push(result.loss);
        recent = step - first === 1 ? result.loss : 0.98 * recent + 0.02 * result.loss;
        const rate = (step - first) / ((performance.now() - started) / 1000);
        const line = `step ${step}/${steps}  loss ${result.loss.toFixed(4)} (avg ${recent.toFixed(4)})  ${rate.toFixed(1)} steps/s  eta ${formatDuration((steps - step) / rate)}`;
        if (log.isTTY) log.write(`\r${line}\x1b[K`);
        else if (step % Math.max(1, Math.floor(steps / 20)) === 0 || step === steps) log.write(`${line}\n`);
        if (step % every === 0 && step < steps) await save();
      }
      if (log.isTTY) log.write('\n');
      await save();
      log.write(`${interrupted ? 'interrupted: ' : ''}checkpoint ${checkpointPath} at step ${step}\n`);
      if (losses.length > 0) {
        const svg = await renderSvg(lossCurveSpec(losses, Math.max(10, Math.floor(losses.length / 50))));
        await writeFileAtomic(join(dir, 'loss.svg'), svg);
        await writeFileAtomic(join(dir, 'loss.png'), await svgToPng(svg));
        log.write(`loss curve ${join(dir, 'loss.svg')} and ${join(dir, 'loss.png')}\n`);
      }
      return interrupted ? 130 : 0;
    } finally {
      process.off('SIGINT', onInterrupt);
      trainer.dispose();
      await backend.dispose?.();
    }
  },
};
