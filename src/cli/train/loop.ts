import type { Trainer } from '../../contract/training.js';
import { DiffspecInputError } from '../../errors.js';
import type { Tensor } from '../../tensor.js';
import { sampleBatch, sampleLabels } from '../../training/batches.js';
import type { RunConfig } from '../../training/checkpoint.js';

export interface LoopArgs {
  trainer: Trainer;
  data: Tensor;
  /** The items' class labels, for a class-conditional model. */
  labels?: Int32Array;
  config: RunConfig;
  /** The step the trainer is at, and the step to stop at. */
  from: number;
  until: number;
  /** Steps between checkpoints. */
  every: number;
  /** Every step's loss so far; the loop appends to it. */
  losses: number[];
  /** Writes the checkpoint (atomically). */
  save(): Promise<void>;
  checkpointPath: string;
  log: NodeJS.WriteStream;
}

function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  const m = Math.floor(seconds / 60);
  return m > 0 ? `${m}m${String(Math.round(seconds % 60)).padStart(2, '0')}s` : `${seconds.toFixed(0)}s`;
}

/**
 * Trains from step `from` to `until`, printing loss, steps/s and ETA (one updating line on a terminal, 20 lines
 * otherwise) and saving every `every` steps. Ctrl-C stops after the current step. A non-finite loss or gradient
 * stops with an error and leaves the last checkpoint as it was.
 */
export async function trainLoop(args: LoopArgs): Promise<{ step: number; interrupted: boolean }> {
  const { trainer, data, config, from, until, every, losses, log } = args;
  let interrupted = false;
  const onInterrupt = () => (interrupted = true);
  process.once('SIGINT', onInterrupt);
  try {
    const started = performance.now();
    let step = from;
    let recent = 0;
    while (step < until && !interrupted) {
      const { batch, seed } = { batch: config.batch, seed: config.options.seed };
      const labels = args.labels && sampleLabels(args.labels, batch, seed, step + 1);
      const result = await trainer.step(sampleBatch(data, batch, seed, step + 1), labels);
      // A diverged run must not overwrite the last good checkpoint with non-finite weights.
      if (!Number.isFinite(result.loss) || !Number.isFinite(result.gradNorm)) {
        throw new DiffspecInputError(
          '--lr',
          `training diverged at step ${result.step} (loss ${result.loss}, gradient norm ${result.gradNorm}); ` +
            `${args.checkpointPath} keeps the last good state; lower --lr or set --clip`,
        );
      }
      step = result.step;
      losses.push(result.loss);
      recent = step - from === 1 ? result.loss : 0.98 * recent + 0.02 * result.loss;
      const rate = (step - from) / ((performance.now() - started) / 1000);
      const eta = formatDuration((until - step) / rate);
      const loss = `loss ${result.loss.toFixed(4)} (avg ${recent.toFixed(4)})`;
      const line = `step ${step}/${until}  ${loss}  ${rate.toFixed(1)} steps/s  eta ${eta}`;
      if (log.isTTY) log.write(`\r${line}\x1b[K`);
      else if (step % Math.max(1, Math.floor(until / 20)) === 0 || step === until) log.write(`${line}\n`);
      if (step % every === 0 && step < until) await args.save();
    }
    if (log.isTTY) log.write('\n');
    return { step, interrupted };
  } finally {
    process.off('SIGINT', onInterrupt);
  }
}
