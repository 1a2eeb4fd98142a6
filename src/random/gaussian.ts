import { requireInput } from '../errors.js';
import { sizeOf, type Tensor } from '../tensor.js';
import { philox4x32, philoxKey, uniform53 } from './philox.js';

export function checkSeed(seed: unknown, field = 'seed'): number {
  requireInput(
    typeof seed === 'number' && Number.isSafeInteger(seed) && seed >= 0,
    field,
    `must be an integer in [0, 2^53), got ${JSON.stringify(seed)}`,
  );
  return seed;
}

export function checkStream(stream: unknown, field = 'stream'): number {
  requireInput(
    typeof stream === 'number' && Number.isInteger(stream) && stream >= 0 && stream < 2 ** 32,
    field,
    `must be an integer in [0, 2^32), got ${JSON.stringify(stream)}`,
  );
  return stream;
}

/**
 * Standard normal values number `offset`..`offset + count - 1` of stream `stream` under `seed`.
 * Element 2b and 2b+1 come from Philox block b (counter [b, stream, 0, 0], key [seed mod 2^32, seed / 2^32]):
 * two 53-bit uniforms u1 in (0, 1], u2 in [0, 1), then Box-Muller: sqrt(-2 ln u1) (cos 2 pi u2, sin 2 pi u2).
 * The same (seed, stream, index) gives the same value on every backend and platform.
 */
export function gaussianValues(seed: number, stream: number, count: number, offset = 0): Float64Array {
  checkStream(stream);
  const [k0, k1] = philoxKey(checkSeed(seed));
  const out = new Float64Array(count);
  const words = new Uint32Array(4);
  let block = -1;
  let z0 = 0;
  let z1 = 0;
  for (let i = 0; i < count; i++) {
    const index = offset + i;
    const b = Math.floor(index / 2);
    if (b !== block) {
      block = b;
      philox4x32(b >>> 0, stream, Math.floor(b / 4294967296) >>> 0, 0, k0, k1, words);
      const u1 = uniform53(words[0], words[1]) + 2 ** -53; // in (0, 1]: log(u1) stays finite
      const u2 = uniform53(words[2], words[3]);
      const r = Math.sqrt(-2 * Math.log(u1));
      z0 = r * Math.cos(2 * Math.PI * u2);
      z1 = r * Math.sin(2 * Math.PI * u2);
    }
    out[i] = index % 2 === 0 ? z0 : z1;
  }
  return out;
}

/** A tensor of standard normal noise of the given shape from (seed, stream). */
export function gaussianTensor(shape: readonly number[], seed: number, stream: number): Tensor {
  return { shape: [...shape], data: gaussianValues(seed, stream, sizeOf(shape)) };
}
