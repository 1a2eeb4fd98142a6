import type { FieldKind } from '../operations/operation.js';

/**
 * Where a case file carries a field of each kind: its "schedule", under "inputs", or under "options". The process
 * protocol's requests (docs/protocol.md) carry them the same way, so a request is a case file without its "op".
 */
export const SECTION: Record<FieldKind, 'schedule' | 'inputs' | 'options' | undefined> = {
  schedule: 'schedule',
  'schedule spec': 'schedule',
  tensor: 'inputs',
  'optional tensor': 'inputs',
  timesteps: 'inputs',
  times: 'inputs',
  integer: 'options',
  'optional integers': 'options',
  'optional number': 'options',
  shape: 'options',
  model: undefined,
  'reverse options': 'options',
  'reverse options with eta': 'options',
};

export const OPTIONAL: ReadonlySet<FieldKind> = new Set<FieldKind>([
  'optional tensor',
  'optional integers',
  'optional number',
  'reverse options',
  'reverse options with eta',
]);

/** The reverse options a case file may give, spread into its "options" (eta only where the operation uses it). */
export const REVERSE_OPTION_KEYS: Partial<Record<FieldKind, readonly string[]>> = {
  'reverse options': ['prediction', 'variance', 'clip'],
  'reverse options with eta': ['prediction', 'variance', 'clip', 'eta'],
};
