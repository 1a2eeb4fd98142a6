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
