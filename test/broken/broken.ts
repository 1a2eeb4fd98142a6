import { cpuBackend } from '../../backends/cpu/index.js';
import type { DiffusionBackend } from '../../src/contract/backend.js';

/** A check of the suite as checkId writes it: "<group> > <check name>". */
export type CheckName = `${string} > ${string}`;

/** A deliberately broken backend: the reference with one real-world bug, and the check that must catch it. */
export interface BrokenBackend {
  id: string;
  bug: string;
  /** The check (spec/groups/<group>.ts) that must fail on it: the one whose equation the bug breaks. */
  caughtBy: CheckName;
  backend: DiffusionBackend;
}

/** The reference backend (or `base`, e.g. the reference under another profile) with some operations replaced by buggy ones. */
export function broken(
  id: string,
  bug: string,
  caughtBy: CheckName,
  overrides: Partial<DiffusionBackend>,
  base: DiffusionBackend = cpuBackend,
): BrokenBackend {
  return { id, bug, caughtBy, backend: { ...base, name: `broken:${id}`, ...overrides } };
}
