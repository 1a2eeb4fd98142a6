import type { DiffusionBackend } from '../contract/backend.js';
import type { TrainingBackend } from '../contract/training.js';
import { DiffspecInputError } from '../errors.js';
import { isModulePath } from '../speckit/selection.js';
import { UsageError } from './usage-error.js';

/** Loads the built-in backends into the registry (lazily: --help and usage errors need none of them). */
async function registry(): Promise<typeof import('../contract/registry.js')> {
  await import('../../backends/index.js');
  return import('../contract/registry.js');
}

/** A usage error for the first selector that is neither a registered name, a family name nor a module path. */
export async function requireKnownBackends(option: string, selectors: readonly string[]): Promise<void> {
  const known = (await registry()).registeredBackends().map((r) => r.name);
  const families = new Set(known.map((n) => n.split(':')[0]));
  for (const s of selectors) {
    if (!isModulePath(s) && !known.includes(s) && !families.has(s)) {
      throw new UsageError(`--${option} ${s}: unknown backend (built in: ${known.join(', ')}; or give a module path)`);
    }
  }
}

/** The registered backend `name`, given as `--option`: unknown is a usage error, unable to run here bad input. */
export async function runnableBackend(option: string, name: string): Promise<DiffusionBackend> {
  await requireKnownBackends(option, [name]);
  const resolution = await (await registry()).resolveBackend(name);
  if ('skipped' in resolution) {
    throw new DiffspecInputError(`--${option}`, `${resolution.name} cannot run here: ${resolution.skipped}`);
  }
  return resolution.backend;
}

/** A runnable backend that can also run models (train and sample need its 'training' capability). */
export async function trainingBackend(
  option: string,
  name: string,
  purpose: string,
): Promise<{ backend: DiffusionBackend; training: TrainingBackend }> {
  const backend = await runnableBackend(option, name);
  if (backend.training === undefined) {
    await backend.dispose?.();
    const lacks = `${backend.name} cannot ${purpose} (it lacks the 'training' capability)`;
    throw new DiffspecInputError(`--${option}`, lacks);
  }
  return { backend, training: backend.training };
}
