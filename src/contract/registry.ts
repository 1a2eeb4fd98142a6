import type { DiffusionBackend } from './backend.js';

/** A registered backend: created on demand; `available` says why it cannot run here, if it cannot. */
export interface BackendRegistration {
  /**
   * e.g. "cpu", "tfjs:wasm". A family prefix before ':' groups
   * variants ("tfjs" resolves to its best available variant).
   */
  name: string;
  /** Higher is tried first when a family name or no name is given (onnxruntime-web's priority list). */
  priority: number;
  create(): Promise<DiffusionBackend>;
  /** Resolves to true, or to a reason this backend cannot run on this machine. */
  available?(): Promise<true | string>;
}

const registry = new Map<string, BackendRegistration>();

/**
 * Adds a backend; a third party calls this from its own module, without editing diffspec. A name already
 * registered is an error: a silent replacement would run the suite against another backend than the one named.
 */
export function registerBackend(registration: BackendRegistration): void {
  if (!/^[a-z0-9][a-z0-9_.-]*(:[a-z0-9_.-]+)?$/i.test(registration.name)) {
    throw new Error(`backend name ${JSON.stringify(registration.name)} must look like "family" or "family:variant"`);
  }
  if (registry.has(registration.name)) {
    throw new Error(`backend ${JSON.stringify(registration.name)} is already registered; choose another name`);
  }
  registry.set(registration.name, registration);
}

export function registeredBackends(): BackendRegistration[] {
  return [...registry.values()].sort((a, b) => b.priority - a.priority || a.name.localeCompare(b.name));
}

export type Resolution = { name: string; backend: DiffusionBackend } | { name: string; skipped: string };

/** True when a registered backend can run on this machine, else the reason it cannot. */
export async function availability(r: BackendRegistration): Promise<true | string> {
  try {
    return r.available ? await r.available() : true;
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
}

/**
 * Resolves a backend name: an exact registered name, or a family name whose variants are tried by
 * priority, falling back to the next when one is unavailable or fails to start. Unknown names throw.
 */
export async function resolveBackend(name: string): Promise<Resolution> {
  const candidates = registry.has(name)
    ? [registry.get(name)!]
    : registeredBackends().filter((r) => r.name.split(':')[0] === name);
  if (candidates.length === 0) {
    throw new Error(
      `unknown backend ${JSON.stringify(name)}; registered: ${
        registeredBackends()
          .map((r) => r.name)
          .join(', ') || 'none'
      }`,
    );
  }
  const reasons: string[] = [];
  for (const r of candidates) {
    const ok = await availability(r);
    if (ok !== true) {
      reasons.push(`${r.name}: ${ok}`);
      continue;
    }
    try {
      return { name: r.name, backend: await r.create() };
    } catch (e) {
      reasons.push(`${r.name}: failed to start: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  return { name, skipped: reasons.join('; ') };
}
