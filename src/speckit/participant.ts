import type { Precision } from '../contract/types.js';
import type { SpecCheck, SpecGroup } from './check.js';
import type { CheckResult } from './runner.js';

/**
 * A backend as the spec harness runs it (src/speckit/vitest.ts): one that runs checks, in a process of its own
 * (src/isolation/isolated.ts) or in this one (a backend object given to describeConformance); or one that cannot
 * run here (`skipped`, with the reason) or could not be loaded (`failed`). `selector` is the DIFFSPEC_BACKENDS
 * entry that chose it: a registered name or a module path.
 */
export type Participant =
  | { name: string; selector: string; failed: string }
  | { name: string; selector: string; skipped: string }
  | {
      name: string;
      selector: string;
      precision: Precision;
      metadata?: Readonly<Record<string, string>>;
      /** In a process of its own: its checks' time limit is enforced there, so vitest's is a backstop. */
      isolated: boolean;
      runCheck(group: SpecGroup, check: SpecCheck, suiteSeed: number): Promise<CheckResult>;
      close?(): void;
    };
