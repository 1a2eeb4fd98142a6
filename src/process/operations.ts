import { OPTIONAL, REVERSE_OPTION_KEYS, SECTION } from '../cases/sections.js';
import { ALL_OPERATIONS } from '../operations/index.js';
import type { AnyOperation, FieldKind } from '../operations/operation.js';

/** One operation of the protocol: the table's operation and the name of its request. */
export interface ProtocolOperation {
  operation: AnyOperation;
  /** The case-file name; for operations case files cannot express, the snake_case of the contract method. */
  name: string;
}

export const snakeCase = (method: string) => method.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/** Every operation of the table (src/operations), so the protocol and case files cannot drift. */
export const PROTOCOL_OPERATIONS: readonly ProtocolOperation[] = ALL_OPERATIONS.map((operation) => ({
  operation,
  name: typeof operation.caseName === 'string' ? operation.caseName : snakeCase(operation.method),
}));

function fieldList(op: AnyOperation, section: 'schedule' | 'inputs' | 'options'): string {
  const fields = Object.entries(op.fields as Record<string, FieldKind>).filter(([, kind]) => SECTION[kind] === section);
  const names = fields.flatMap(([name, kind]) => {
    const keys = REVERSE_OPTION_KEYS[kind] ?? [name];
    return keys.map((key) => `\`${key}\`${OPTIONAL.has(kind) ? '?' : ''}`);
  });
  return names.join(', ') || '—';
}

/** The operations as docs/protocol.md lists them (test/process-protocol.spec.ts keeps the two equal). */
export function operationsMarkdown(): string {
  const rows = PROTOCOL_OPERATIONS.map(({ operation: op, name }) => {
    const callbacks = Object.values(op.fields as Record<string, FieldKind>).includes('model') ? '`model`' : '—';
    const schedule = fieldList(op, 'schedule') === '—' ? '—' : 'yes';
    const results = op.results.map((r) => `\`${r}\``).join(', ');
    const fields = [fieldList(op, 'inputs'), fieldList(op, 'options')];
    const cells = [`\`${name}\``, op.capability, schedule, ...fields, results, callbacks];
    return `| ${cells.join(' | ')} |`;
  });
  return [
    '| method | capability | schedule | inputs | options | result | callbacks |',
    '|---|---|---|---|---|---|---|',
    ...rows,
  ].join('\n');
}
