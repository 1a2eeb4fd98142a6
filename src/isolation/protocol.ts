import type { Capability, Precision } from '../contract/types.js';
import type { CheckResult } from '../speckit/runner.js';
import type { Tensor } from '../tensor.js';

/** What the parent learns of a backend its host process loaded: enough to register and report its checks. */
export interface BackendDescriptor {
  name: string;
  precision: Precision;
  capabilities: Capability[];
  metadata?: Record<string, string>;
}

/** Messages from a parent to a host process (src/isolation/host.ts), one at a time. */
export type HostRequest =
  | { type: 'check'; group: string; check: string; suiteSeed: number }
  /** The seed's forward-diffusion frames for the report (src/report/strips.ts) from x0 at `steps`. */
  | { type: 'frames'; x0: Tensor; steps: number[]; seed: number };

/** Messages from a host process to its parent: the first answers the load, each later one a request. */
export type HostReply =
  | { type: 'ready'; backend: BackendDescriptor }
  | { type: 'failed'; name: string; reason: string }
  | { type: 'skipped'; name: string; reason: string }
  /** The request's imports are done and its work begins: its time limit starts now. */
  | { type: 'started' }
  | { type: 'result'; result: CheckResult }
  | { type: 'frames'; frames: { t: number; x: Tensor }[] }
  | { type: 'error'; message: string };
