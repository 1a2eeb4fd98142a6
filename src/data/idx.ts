import { gunzipSync } from 'node:zlib';
import { requireInput } from '../errors.js';

/**
 * An IDX file (LeCun et al.'s MNIST format, also Fashion-MNIST's), gzipped: magic 0x00 0x00 type ndims, then ndims
 * big-endian uint32 sizes, then the values row-major. Only unsigned bytes (type 0x08) occur in these data sets.
 */
export function readIdx(gzipped: Uint8Array, field: string): { shape: number[]; data: Uint8Array } {
  const bytes = gunzipSync(gzipped);
  requireInput(
    bytes.length >= 4 && bytes[0] === 0 && bytes[1] === 0 && bytes[2] === 0x08,
    field,
    'is not an IDX file of unsigned bytes (magic 00 00 08 nn)',
  );
  const rank = bytes[3];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const shape = Array.from({ length: rank }, (_, d) => view.getUint32(4 + 4 * d, false));
  const start = 4 + 4 * rank;
  const size = shape.reduce((a, b) => a * b, 1);
  requireInput(bytes.length === start + size, field, `holds ${bytes.length - start} values, its header says ${size}`);
  return { shape, data: bytes.subarray(start) };
}
