import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ALL_CAPABILITIES, type DiffusionBackend } from '../contract/backend.js';
import { type Resolution, registeredBackends, resolveBackend } from '../contract/registry.js';
import { resolveProfile } from '../conventions/profile.js';
import { DiffspecInputError } from '../errors.js';
import { ALL_OPERATIONS } from '../operations/index.js';
import { programBackend } from '../process/backend.js';
import { COMMAND_PREFIX, isProgramSelector, programCommand } from '../process/selector.js';

/**
 * A backend chosen for a run: `selector` is the DIFFSPEC_BACKENDS entry that chose it (a registered name or
 * a module path). A module that cannot be loaded, or does not implement the contract, `failed`: every check
 * of that backend fails with the reason.
 */
export type Selected = (Resolution | { name: string; failed: string }) & { selector: string };

/**
 * DIFFSPEC_BACKENDS: comma-separated backend names, module paths or programs ("cmd:COMMAND ARGS" or a JSON file,
 * docs/protocol.md); unset means every registered backend.
 */
export function selectedBackendNames(env: NodeJS.ProcessEnv = process.env): string[] {
  const raw = env.DIFFSPEC_BACKENDS?.trim();
  if (raw)
    return raw
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
  return registeredBackends().map((r) => r.name);
}

/**
 * A selector names a file when it looks like a path: registered names hold no '/' and no module extension, and a
 * program's command line ("cmd:...") is no path even when its words hold some.
 */
export function isModulePath(selector: string): boolean {
  if (selector.startsWith(COMMAND_PREFIX)) return false;
  return /[\\/]/.test(selector) || /\.(m|c)?(j|t)s$/.test(selector);
}

const PRECISIONS = ['float64', 'float32'];
const TRAINING_METHODS = ['predict', 'denoiser', 'lossAndGradients', 'sampleTimesteps', 'adamStep', 'createTrainer'];

/** Why `value` is not a DiffusionBackend, or undefined when it has the contract's shape. */
export function contractMismatch(value: unknown): string | undefined {
  if (value === null || typeof value !== 'object') {
    return `is ${value === null ? 'null' : `${typeof value} ${String(value).slice(0, 40)}`}, not a backend object`;
  }
  const b = value as Partial<DiffusionBackend>;
  if (typeof b.name !== 'string' || b.name === '') return 'has no string "name"';
  if (!PRECISIONS.includes(b.precision as string))
    return `"precision" must be ${PRECISIONS.join(' or ')}, got ${JSON.stringify(b.precision)}`;
  if (!Array.isArray(b.capabilities)) return '"capabilities" must be an array';
  const unknown = b.capabilities.filter((c) => !ALL_CAPABILITIES.includes(c));
  if (unknown.length > 0) {
    const names = unknown.map((c) => JSON.stringify(c)).join(', ');
    return `"capabilities" names unknown ${names} (known: ${ALL_CAPABILITIES.join(', ')})`;
  }
  // Every check needs the schedule; the other operations are owed by the capabilities the backend declares.
  const owed = ALL_OPERATIONS.filter((op) => op.capability === 'schedule' || b.capabilities!.includes(op.capability));
  const missing = owed.map((op) => op.method).filter((m) => typeof (b as Record<string, unknown>)[m] !== 'function');
  if (missing.length > 0) return `lacks the operations ${missing.join(', ')} (declares ${b.capabilities.join(', ')})`;
  if (b.capabilities.includes('training')) {
    if (b.training === null || typeof b.training !== 'object') {
      return 'declares the \'training\' capability but has no "training" object';
    }
    const training = b.training as unknown as Record<string, unknown>;
    const lacking = TRAINING_METHODS.filter((m) => typeof training[m] !== 'function');
    if (lacking.length > 0) return `"training" lacks the methods ${lacking.join(', ')}`;
  } else if (b.training !== undefined) {
    return 'has a "training" object but does not declare the \'training\' capability';
  }
  if (b.capabilities.includes('memory') && typeof b.liveTensorCount !== 'function') {
    return "declares the 'memory' capability but has no liveTensorCount()";
  }
  try {
    resolveProfile(b.profile);
  } catch (e) {
    if (e instanceof DiffspecInputError) return `declares an unknown convention profile: ${e.message}`;
    throw e;
  }
  return undefined;
}

/** Where an error was thrown, from its stack's first frame: " (at file:line:column)", or nothing. */
function thrownAt(e: unknown): string {
  const frame = e instanceof Error ? e.stack?.split('\n').find((l) => /^\s+at /.test(l)) : undefined;
  const place = frame?.match(/\(?((?:file:\/\/)?\/[^()]+:\d+:\d+)\)?$/)?.[1];
  return place ? ` (at ${place.replace(/^file:\/\//, '')})` : '';
}

/**
 * Loads a backend from a module: its default export or its `backend` export, either a DiffusionBackend or a
 * (possibly async) function returning one. Relative paths are taken from the working folder.
 */
async function loadBackendModule(path: string): Promise<Selected> {
  const file = isAbsolute(path) ? path : resolve(path);
  try {
    const mod = (await import(pathToFileURL(file).href)) as { default?: unknown; backend?: unknown };
    const exportName = mod.default !== undefined ? 'default export' : '"backend" export';
    const exported = mod.default ?? mod.backend;
    if (exported === undefined)
      return { name: path, selector: file, failed: `${file} exports neither a default export nor "backend"` };
    const called = typeof exported === 'function';
    const backend = called ? await (exported as () => unknown)() : exported;
    const mismatch = contractMismatch(backend);
    const where = `the ${exportName} of ${file}${called ? ' (a function; what it returned)' : ''}`;
    if (mismatch) return { name: path, selector: file, failed: `${where} ${mismatch}` };
    return { name: (backend as DiffusionBackend).name, selector: file, backend: backend as DiffusionBackend };
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    return { name: path, selector: file, failed: `cannot load ${file}: ${message}${thrownAt(e)}` };
  }
}

/** Starts a program backend (docs/protocol.md); a program that cannot start or answer `initialize` `failed`. */
export async function loadProgramBackend(selector: string): Promise<Selected> {
  const command = selector.startsWith(COMMAND_PREFIX) ? selector.slice(COMMAND_PREFIX.length) : selector;
  const label = `program ${JSON.stringify(command)}`;
  try {
    const backend = await programBackend(programCommand(selector), label);
    return { name: backend.name, selector, backend };
  } catch (e) {
    return { name: selector, selector, failed: e instanceof Error ? e.message : String(e) };
  }
}

/** The backend a selector names: a program, a module or a registered name (unknown names throw). */
export async function selectBackend(selector: string): Promise<Selected> {
  if (isProgramSelector(selector)) return loadProgramBackend(selector);
  if (isModulePath(selector)) return loadBackendModule(selector);
  return { ...(await resolveBackend(selector)), selector };
}
