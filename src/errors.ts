/** An input that cannot be evaluated. `field` names the offending input, e.g. "inputs.t[3]". */
export class DiffspecInputError extends Error {
  constructor(
    readonly field: string,
    detail: string,
  ) {
    super(`${field}: ${detail}`);
    this.name = 'DiffspecInputError';
  }
}

/** Throws a DiffspecInputError for `field` unless `condition` holds. */
export function requireInput(condition: unknown, field: string, detail: string): asserts condition {
  if (!condition) throw new DiffspecInputError(field, detail);
}

/** An offending value as a message shows it: NaN and Infinity by name (JSON would print null), others as JSON. */
export function shown(value: unknown): string {
  if (typeof value === 'number' || value === undefined) return String(value);
  return JSON.stringify(value)?.slice(0, 80) ?? String(value);
}
