import { DiffspecInputError, requireInput } from './errors.js';

export type FloatArray = Float64Array | Float32Array;

/** A dense tensor as it crosses the backend contract: a shape (NCHW for images) and row-major data. */
export interface Tensor {
  readonly shape: readonly number[];
  readonly data: FloatArray;
}

export function sizeOf(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

export function tensor(shape: readonly number[], data: FloatArray | readonly number[]): Tensor {
  const array = data instanceof Float64Array || data instanceof Float32Array ? data : Float64Array.from(data);
  if (array.length !== sizeOf(shape)) {
    throw new DiffspecInputError(
      'shape',
      `shape [${shape.join(', ')}] needs ${sizeOf(shape)} values, got ${array.length}`,
    );
  }
  return { shape: [...shape], data: array };
}

/** Elements per batch item: the product of all dimensions after the first. */
export function itemSize(t: Tensor): number {
  return t.shape.length === 0 ? 1 : sizeOf(t.shape.slice(1));
}

export function batchSize(t: Tensor): number {
  return t.shape.length === 0 ? 1 : t.shape[0];
}

export function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/** Validates a tensor argument: typed data of the right length and only finite values. */
export function checkTensor(field: string, t: unknown): Tensor {
  requireInput(t !== null && typeof t === 'object', field, 'must be a tensor {shape, data}');
  const { shape, data } = t as Partial<Tensor>;
  requireInput(
    Array.isArray(shape) && shape.every((d) => Number.isInteger(d) && d > 0),
    `${field}.shape`,
    'must be an array of positive integers',
  );
  requireInput(
    data instanceof Float64Array || data instanceof Float32Array,
    `${field}.data`,
    'must be a Float64Array or Float32Array',
  );
  requireInput(
    data.length === sizeOf(shape),
    `${field}.data`,
    `has ${data.length} values, shape [${shape.join(', ')}] needs ${sizeOf(shape)}`,
  );
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    // v - v is 0 for finite v and NaN for NaN and +-Infinity: one subtraction instead of a call per element.
    if (v - v !== 0) throw new DiffspecInputError(`${field}.data[${i}]`, `is ${v}, values must be finite`);
  }
  return t as Tensor;
}

export function checkSameShape(
  field: string,
  t: Pick<Tensor, 'shape'>,
  reference: Pick<Tensor, 'shape'>,
  referenceField: string,
): void {
  requireInput(
    sameShape(t.shape, reference.shape),
    `${field}.shape`,
    `is [${t.shape.join(', ')}] but ${referenceField} has shape [${reference.shape.join(', ')}]`,
  );
}
