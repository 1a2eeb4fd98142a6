import type { Capability, Precision } from '../contract/types.js';

/** What the parent learns of a backend its host process loaded: enough to register and report its checks. */
export interface BackendDescriptor {
  name: string;
  precision: Precision;
  capabilities: Capability[];
  metadata?: Record<string, string>;
}

/** Messages from a host process (src/isolation/host.ts) to its parent. */
export type HostReply =
  | { type: 'ready'; backend: BackendDescriptor }
  | { type: 'failed'; name: string; reason: string }
  | { type: 'skipped'; name: string; reason: string };
