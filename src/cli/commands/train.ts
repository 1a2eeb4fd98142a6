import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { loadDataset } from '../../data/load.js';
import { lossCurveSpec, renderSvg, svgToPng } from '../../figures/charts.js';
import { writeFileAtomic } from '../../io/atomic.js';
import { initialWeights, zerosLike } from '../../models/init.js';
import { scheduleTables } from '../../schedule/tables.js';
import { encodeCheckpoint } from '../../training/checkpoint.js';
import { trainingBackend } from '../backend.js';
import { defineCommand } from '../command.js';
import { trainLoop } from '../train/loop.js';
import { RUN_OPTIONS, TRAIN_OPTIONS } from '../train/options.js';
import { startOrResume, withItemShape } from '../train/resume.js';

export const CHECKPOINT_FILE = 'checkpoint.dspw';

/** The loss curve of every step so far, as DIR/loss.svg and DIR/loss.png. */
async function writeLossCurve(dir: string, losses: readonly number[], log: NodeJS.WriteStream): Promise<void> {
  if (losses.length === 0) return;
  const svg = await renderSvg(lossCurveSpec([...losses], Math.max(10, Math.floor(losses.length / 50))));
  await writeFileAtomic(join(dir, 'loss.svg'), svg);
  await writeFileAtomic(join(dir, 'loss.png'), await svgToPng(svg));
  log.write(`loss curve ${join(dir, 'loss.svg')} and ${join(dir, 'loss.png')}\n`);
}

export const trainCommand = defineCommand({
  name: 'train',
  summary: 'train a denoiser (mlp, simple-conv, unet, unet-attn or dit) with checkpoints, resume and a loss curve',
  description: `Trains a denoiser with L_simple (Ho et al. 2020, Algorithm 1) and Adam. Every --checkpoint-every
steps, and at the end, DIR/${CHECKPOINT_FILE} is replaced atomically; running again with the same DIR resumes from
it. A resumed run keeps the checkpoint's ${RUN_OPTIONS.map((o) => `--${o}`).join(', ')}: giving a different one is
an error (--steps may raise the target). Ctrl-C saves a checkpoint and stops. At the end DIR/loss.svg and DIR/loss.png
show the loss curve.`,
  options: TRAIN_OPTIONS,
  exitStatus: {
    0: 'trained until --steps; the checkpoint is saved',
    1:
      'bad input: unreadable data, a checkpoint of another run or a corrupt one, a diverged run (the last good ' +
      'checkpoint is kept), or a backend that cannot train here',
    130: 'stopped by Ctrl-C; the checkpoint is saved, and running again resumes',
  },
  examples: [
    'diffspec train --model mlp --out run/',
    'diffspec train --model unet-attn --data fashion-mnist --size 16 --steps 200 --class-conditional --p-uncond 0.1',
    'diffspec sample --checkpoint run/ --sampler ddim --steps 50',
  ],
  async run(values, given) {
    const dir = values.out;
    const checkpointPath = join(dir, CHECKPOINT_FILE);
    const start = await startOrResume(values, given, checkpointPath);
    const { config, saved } = start;
    const dataset = await loadDataset(config.data);
    const data = dataset.items;
    const itemShape = data.shape.slice(1);
    const model = saved ? saved.model : withItemShape(start.model, itemShape, dataset.classes);
    const labels = 'classes' in model && model.classes > 0 ? dataset.labels : undefined;
    const until = values.steps ?? (model.architecture === 'mlp' ? 3000 : 1000);
    const { backend, training } = await trainingBackend('backend', values.backend, 'train');
    const params = saved?.state.params ?? initialWeights(model, config.options.seed);
    const ema = config.options.emaDecay !== undefined ? params : undefined;
    const state = saved?.state ?? { step: 0, params, m: zerosLike(params), v: zerosLike(params), ema };
    const losses = [...(saved?.losses ?? [])];
    const log = process.stderr;
    try {
      const trainer = await training.createTrainer(model, scheduleTables(config.schedule), state, config.options);
      try {
        const where = saved ? `resuming ${checkpointPath} at step ${state.step}` : `new run in ${dir}`;
        const items = `${data.shape[0]} items of [${itemShape.join(', ')}]`;
        const settings = `backend ${backend.name}, batch ${config.batch}, until step ${until}`;
        log.write(`${where}: ${model.architecture} on ${items}, ${settings}\n`);
        await mkdir(dir, { recursive: true });
        const save = async () => {
          const checkpoint = { model, config, state: await trainer.state(), losses };
          await writeFileAtomic(checkpointPath, encodeCheckpoint(checkpoint));
        };
        const every = values['checkpoint-every'];
        const loop = {
          trainer,
          data,
          labels,
          config,
          from: state.step,
          until,
          every,
          losses,
          save,
          checkpointPath,
          log,
        };
        const { step, interrupted } = await trainLoop(loop);
        await save();
        log.write(`${interrupted ? 'interrupted: ' : ''}checkpoint ${checkpointPath} at step ${step}\n`);
        await writeLossCurve(dir, losses, log);
        return interrupted ? 130 : 0;
      } finally {
        trainer.dispose();
      }
    } finally {
      await backend.dispose?.();
    }
  },
});
