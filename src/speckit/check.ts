import type { Capability, DiffusionBackend } from '../contract/backend.js';
import type { SpecContext } from './context.js';

export type CheckKind = 'exact' | 'property' | 'statistical';

/** One spec: a claim about an operation, checked against a backend. */
export interface SpecCheck {
  name: string;
  kind: CheckKind;
  /** The equation it checks, in one line. */
  equation: string;
  /** Where the equation comes from (paper, equation number). */
  source: string;
  requires: readonly Capability[];
  /**
   * The returned fields this check compares, as "<contract method>.<field>" (e.g. "pMeanVariance.logVariance",
   * "forwardChain.recorded"): every field of every result structure must be read by some check.
   */
  reads?: readonly string[];
  /** Statistical checks: the false-alarm rate this check may spend (shared among its tests by Bonferroni). */
  falseAlarm?: number;
  run(backend: DiffusionBackend, ctx: SpecContext): Promise<void>;
}

/** A spec group: one file in spec/groups, one spec file in spec/. */
export interface SpecGroup {
  /** Short id, also the spec file's name: spec/<id>.spec.ts */
  id: string;
  title: string;
  checks: SpecCheck[];
}

export function defineGroup(id: string, title: string, checks: SpecCheck[]): SpecGroup {
  const names = new Set<string>();
  for (const c of checks) {
    if (names.has(c.name)) throw new Error(`spec group ${id}: duplicate check name ${JSON.stringify(c.name)}`);
    names.add(c.name);
    if (c.kind === 'statistical' && !(c.falseAlarm && c.falseAlarm > 0))
      throw new Error(`spec group ${id}: statistical check ${JSON.stringify(c.name)} must state its falseAlarm`);
  }
  return { id, title, checks };
}

export const checkId = (group: SpecGroup, check: SpecCheck) => `${group.id} > ${check.name}`;
