import type { Tensor } from '../tensor.js';

/** A tensor on the wire (docs/protocol.md, "Tensors"): row-major values as little-endian IEEE-754 bytes in base64. */
export interface WireTensor {
  shape: number[];
  dtype: 'float64' | 'float32';
  data: string;
}

// Typed arrays use the platform's byte order; every platform Node runs on in practice is little-endian.
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function requireLittleEndian(): void {
  if (!LITTLE_ENDIAN)
    throw new Error('the process protocol needs a little-endian platform (tensors travel as LE bytes)');
}

export function encodeTensor(t: Tensor): WireTensor {
  requireLittleEndian();
  const data = t.data instanceof Float32Array || t.data instanceof Float64Array ? t.data : Float64Array.from(t.data);
  const dtype = data instanceof Float32Array ? 'float32' : 'float64';
  return {
    shape: [...t.shape],
    dtype,
    data: Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('base64'),
  };
}

export const isRecord = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v);

/** Why `value` is not a tensor in one of the accepted forms, or the tensor. `path` names it in messages. */
export function decodeTensor(value: unknown, path: string): Tensor {
  if (Array.isArray(value)) return { shape: [value.length], data: numbers(value, path) };
  if (!isRecord(value) || !Array.isArray(value.shape)) {
    throw new Error(`${path} is not a tensor {"shape", "dtype", "data"}: ${JSON.stringify(value)?.slice(0, 80)}`);
  }
  const shape = value.shape as unknown[];
  if (!shape.every((d) => Number.isInteger(d) && (d as number) >= 0))
    throw new Error(`${path}.shape is not a list of sizes`);
  const size = (shape as number[]).reduce((a, b) => a * b, 1);
  let data: Float64Array | Float32Array;
  if (typeof value.data === 'string') {
    requireLittleEndian();
    const bytes = Buffer.from(value.data, 'base64');
    const dtype = value.dtype ?? 'float64';
    if (dtype !== 'float64' && dtype !== 'float32')
      throw new Error(`${path}.dtype must be "float64" or "float32", got ${JSON.stringify(dtype)}`);
    const width = dtype === 'float64' ? 8 : 4;
    if (bytes.length !== size * width) {
      throw new Error(
        `${path}.data holds ${bytes.length} bytes; shape [${shape.join(', ')}] of ${dtype} needs ${size * width}`,
      );
    }
    // Copy into a fresh buffer: Buffer's pooled memory need not be aligned for a Float64Array view.
    const copy = new Uint8Array(bytes).buffer;
    data = dtype === 'float64' ? new Float64Array(copy) : new Float32Array(copy);
  } else if (Array.isArray(value.data)) {
    data = numbers(value.data, `${path}.data`);
  } else {
    throw new Error(`${path}.data must be a base64 string or an array of numbers`);
  }
  if (data.length !== size)
    throw new Error(`${path} has ${data.length} values; shape [${shape.join(', ')}] needs ${size}`);
  return { shape: shape as number[], data };
}

function numbers(values: unknown[], path: string): Float64Array {
  const i = values.findIndex((v) => typeof v !== 'number');
  if (i >= 0) throw new Error(`${path}[${i}] is ${JSON.stringify(values[i])}, not a number`);
  return Float64Array.from(values as number[]);
}
