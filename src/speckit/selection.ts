import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { DiffusionBackend } from '../contract/backend.js';
import { registeredBackends, resolveBackend, type Resolution } from '../contract/registry.js';
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
  if (raw) return raw.split(',').map((s) => s.trim()).filter(Boolean);
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

/** Why `value` is not a DiffusionBackend, or undefined when it has the contract's shape. */
function contractMismatch(value: unknown): string | undefined {
  if (value === null || typeof value !== 'object') return `is ${value === null ? 'null' : typeof value}, not a backend object`;
  const b = value as Partial<DiffusionBackend>;
  if (typeof b.name !== 'string' || b.name === '') return 'has no string "name"';
  if (!PRECISIONS.includes(b.precision as string)) return `"precision" must be ${PRECISIONS.join(' or ')}, got ${JSON.stringify(b.precision)}`;
  if (!Array.isArray(b.capabilities)) return '"capabilities" must be an array';
  // Every check needs the schedule; the other operations are owed by the capabilities the backend declares.
  const owed = ALL_OPERATIONS.filter((op) => op.capability === 'schedule' || b.capabilities!.includes(op.capability));
  const missing = owed.map((op) => op.method).filter((m) => typeof (b as Record<string, unknown>)[m] !== 'function');
  if (missing.length > 0) return `lacks the operations ${missing.join(', ')} (declares ${b.capabilities.join(', ')})`;
  return undefined;
}

/**
 * Loads a backend from a module: its default export or its `backend` export, either a DiffusionBackend or a
 * (possibly async) function returning one. Relative paths are taken from the working folder.
 */
async function loadBackendModule(path: string): Promise<Selected> {
  const file = isAbsolute(path) ? path : resolve(path);
  try {
    const mod = (await import(pathToFileURL(file).href)) as { default?: unknown; backend?: unknown };
    const exported = mod.default ?? mod.backend;
    if (exported === undefined) return { name: path, selector: file, failed: `${file} exports neither a default export nor "backend"` };
    const backend = typeof exported === 'function' ? await (exported as () => unknown)() : exported;
    const mismatch = contractMismatch(backend);
    if (mismatch) return { name: path, selector: file, failed: `the backend exported by ${file} ${mismatch}` };
    return { name: (backend as DiffusionBackend).name, selector: file, backend: backend as DiffusionBackend };
  } catch (e) {
    return { name: path, selector: file, failed: `cannot load ${file}: ${e instanceof Error ? e.message : String(e)}` };
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

let cached: Promise<Selected[]> | undefined;

/** Resolves the selected backends once per process; unavailable ones come back with the reason. */
export function selectedBackends(): Promise<Selected[]> {
  cached ??= Promise.all(selectedBackendNames().map(selectBackend));
  return cached;
}
