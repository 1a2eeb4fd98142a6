import { registeredBackends, resolveBackend, type Resolution } from '../contract/registry.js';

/** DIFFSPEC_BACKENDS: comma-separated backend names; unset means every registered backend. */
export function selectedBackendNames(env: NodeJS.ProcessEnv = process.env): string[] {
  const raw = env.DIFFSPEC_BACKENDS?.trim();
  if (raw) return raw.split(',').map((s) => s.trim()).filter(Boolean);
  return registeredBackends().map((r) => r.name);
}

let cached: Promise<Resolution[]> | undefined;

/** Resolves the selected backends once per process; unavailable ones come back with the reason. */
export function selectedBackends(): Promise<Resolution[]> {
  cached ??= Promise.all(selectedBackendNames().map((name) => resolveBackend(name)));
  return cached;
}
