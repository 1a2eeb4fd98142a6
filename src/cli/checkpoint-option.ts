import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Weights } from '../contract/training.js';
import { DiffspecInputError, requireInput } from '../errors.js';
import { decodeCheckpoint } from '../training/checkpoint.js';
import { CHECKPOINT_FILE } from './commands/train.js';
import { option } from './options.js';
import { oneOf } from './values.js';

/** The --weights option of the commands that read a checkpoint. */
export const weightsOption = option(oneOf(['ema', 'params']), {
  description: 'which weights to use: the EMA of the weights or the trained ones',
  defaultText: 'ema when the checkpoint has them',
});

/**
 * The checkpoint --checkpoint names (a file, or a run folder holding CHECKPOINT_FILE), its path, and the weights
 * --weights selects.
 */
export async function readCheckpointOption(given: string, which: 'ema' | 'params' | undefined) {
  let path = given;
  const info = await stat(path).catch(() => undefined);
  requireInput(info !== undefined, '--checkpoint', `${JSON.stringify(path)} does not exist`);
  if (info.isDirectory()) path = join(path, CHECKPOINT_FILE);
  const checkpoint = decodeCheckpoint(
    await readFile(path).catch((e: Error) => Promise.reject(new DiffspecInputError('--checkpoint', e.message))),
    path,
  );
  const chosen = which ?? (checkpoint.state.ema ? 'ema' : 'params');
  const weights: Weights | undefined = chosen === 'ema' ? checkpoint.state.ema : checkpoint.state.params;
  requireInput(
    weights !== undefined,
    '--weights',
    'ema: this checkpoint keeps no EMA of the weights (trained with --ema 0)',
  );
  return { checkpoint, path, weights };
}
