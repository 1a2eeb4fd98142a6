import { checkSeed, checkStream } from './gaussian.js';
import { philox4x32, philoxKey, uniform53 } from './philox.js';

/**
 * Uniform values in [0, 1), number `offset`..`offset + count - 1` of stream `stream` under `seed`: element 2b
 * and 2b + 1 are the two 53-bit uniforms of Philox block b (counter [b, stream, 0, 1], key [seed mod 2^32, seed
 * / 2^32]). The counter's last word 1 keeps these blocks apart from the Gaussian generator's (last word 0).
 */
export function uniformValues(seed: number, stream: number, count: number, offset = 0): Float64Array {
  checkStream(stream);
  const [k0, k1] = philoxKey(checkSeed(seed));
  const words = new Uint32Array(4);
  const out = new Float64Array(count);
  for (let i = 0; i < count; i++) {
    const index = offset + i;
    const b = Math.floor(index / 2);
    philox4x32(b >>> 0, stream, Math.floor(b / 4294967296) >>> 0, 1, k0, k1, words);
    const w = index % 2 === 0 ? 0 : 2;
    out[i] = uniform53(words[w], words[w + 1]);
  }
  return out;
}
