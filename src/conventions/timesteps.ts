import type { DiffusionBackend } from '../contract/backend.js';
import type { DenoiserModel } from '../contract/types.js';
import { ALL_OPERATIONS } from '../operations/index.js';
import type { ConventionFlags } from './profile.js';

// The backend's timestep k is the paper's t = k + 1 - firstTimestep: k = t - 1 for diffusers' 0..T-1
// (DDPMScheduler.set_timesteps, DDIMScheduler.set_timesteps), k = t for improved-diffusion's 1..T as diffspec writes it.
export function paperTimestep(k: number, c: Pick<ConventionFlags, 'firstTimestep'>): number {
  return k + 1 - c.firstTimestep;
}

/** The inverse of paperTimestep: the backend's index of the paper's t. */
export function backendTimestep(t: number, c: Pick<ConventionFlags, 'firstTimestep'>): number {
  return t - 1 + c.firstTimestep;
}

/** Each element through f where it is a number; anything else is left for the backend's validation to reject. */
function shiftAll(value: unknown, f: (v: number) => number): unknown {
  if (value instanceof Int32Array) return value.map(f);
  return Array.isArray(value) ? value.map((v) => (typeof v === 'number' ? f(v) : v)) : value;
}

/**
 * The backend as the checks see it, in the paper's timesteps: the 'timesteps' fields of every operation (src/operations)
 * go to the backend in its own indexing, and the model it calls gets them back in the paper's. The other choices of
 * the profile are numeric: the checks honour them from the resolved flags (SpecContext.conventions).
 */
export function inPaperTimesteps(backend: DiffusionBackend, c: ConventionFlags): DiffusionBackend {
  if (c.firstTimestep === 1) return backend;
  const toBackend = (t: number) => backendTimestep(t, c);
  const wrapModel =
    (model: DenoiserModel): DenoiserModel =>
    (x, k) =>
      model(
        x,
        k.map((v) => paperTimestep(v, c)),
      );
  const methods = ALL_OPERATIONS.map((op) => {
    const fields = Object.entries(op.fields as Record<string, string>);
    const method = backend[op.method as keyof DiffusionBackend] as (a: unknown) => unknown;
    const invoke = (a: unknown) => method.call(backend, a);
    const call = (args: unknown) => {
      if (args === null || typeof args !== 'object') return invoke(args);
      const shifted: Record<string, unknown> = { ...args };
      for (const [name, kind] of fields) {
        if (kind === 'timesteps') shifted[name] = shiftAll(shifted[name], toBackend);
        if (kind === 'model' && typeof shifted[name] === 'function') shifted[name] = wrapModel(shifted[name] as never);
      }
      return invoke(shifted);
    };
    return [op.method, call];
  });
  return { ...backend, ...Object.fromEntries(methods) };
}
