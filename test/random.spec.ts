// The shared noise source: Philox4x32-10 known-answer vectors (Salmon et al. 2011, Random123's kat_vectors)
// and the Box-Muller mapping's determinism, so every backend and platform draws the same noise for a seed.
import { describe, expect, it } from 'vitest';
import { gaussianValues } from '../src/random/gaussian.js';
import { philox4x32 } from '../src/random/philox.js';

const hex = (words: Uint32Array) => Array.from(words, (w) => w.toString(16).padStart(8, '0')).join(' ');

describe('Philox4x32-10', () => {
  it.each([
    [[0, 0, 0, 0, 0, 0], '6627e8d5 e169c58d bc57ac4c 9b00dbd8'],
    [[0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff], '408f276d 41c83b0e a20bc7c6 6d5451fd'],
    [[0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344, 0xa4093822, 0x299f31d0], 'd16cfe09 94fdcceb 5001e420 24126ea1'],
  ])('known answer for counter and key %j', (input, expected) => {
    const out = new Uint32Array(4);
    const [c0, c1, c2, c3, k0, k1] = input as number[];
    philox4x32(c0, c1, c2, c3, k0, k1, out);
    expect(hex(out)).toBe(expected);
  });
});

describe('gaussianValues', () => {
  it('keeps its documented stream: Box-Muller of Philox block 0 (seed 42, stream 3), pinned so harnesses in other languages can check theirs', () => {
    // Recomputed from the definition in src/random/gaussian.ts with the Philox output verified above.
    const out = new Uint32Array(4);
    philox4x32(0, 3, 0, 0, 42, 0, out);
    const u1 = ((out[0] >>> 5) * 2 ** 26 + (out[1] >>> 6) + 1) / 2 ** 53;
    const u2 = ((out[2] >>> 5) * 2 ** 26 + (out[3] >>> 6)) / 2 ** 53;
    const r = Math.sqrt(-2 * Math.log(u1));
    expect(Array.from(gaussianValues(42, 3, 2))).toEqual([
      r * Math.cos(2 * Math.PI * u2),
      r * Math.sin(2 * Math.PI * u2),
    ]);
    expect(Array.from(gaussianValues(42, 3, 2))).toEqual([-0.7503794762616095, -0.3792382485408338]);
  });

  it('is addressable: a slice equals the same range of a longer draw', () => {
    const all = gaussianValues(42, 3, 100);
    expect(Array.from(gaussianValues(42, 3, 17, 33))).toEqual(Array.from(all.subarray(33, 50)));
  });

  it('depends on seed and stream', () => {
    expect(gaussianValues(1, 0, 4)).not.toEqual(gaussianValues(2, 0, 4));
    expect(gaussianValues(1, 0, 4)).not.toEqual(gaussianValues(1, 1, 4));
  });

  it('rejects a seed that is not a safe non-negative integer, naming it', () => {
    expect(() => gaussianValues(-1, 0, 1)).toThrow(/seed/);
    expect(() => gaussianValues(1.5, 0, 1)).toThrow(/seed/);
  });
});
