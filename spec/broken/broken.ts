import { cpuBackend } from '../../backends/cpu/index.js';
import type { DiffusionBackend } from '../../src/contract/backend.js';

/** A deliberately broken backend: the reference with one real-world bug, and the spec group that must catch it. */
export interface BrokenBackend {
  id: string;
  bug: string;
  /** The spec group (spec/groups/<id>.ts) that must report it. */
  caughtBy: string;
  backend: DiffusionBackend;
}

/** The reference backend with some operations replaced by buggy ones. */
export function broken(id: string, bug: string, caughtBy: string, overrides: Partial<DiffusionBackend>): BrokenBackend {
  return { id, bug, caughtBy, backend: { ...cpuBackend, name: `broken:${id}`, ...overrides } };
}
