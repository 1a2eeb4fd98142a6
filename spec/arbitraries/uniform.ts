import fc from 'fast-check';

const STEPS = 2 ** 32;

/**
 * A real drawn uniformly from [min, max] (or (min, max) when `open`), on a grid of 2^32 steps. fc.double draws
 * uniformly among the floating-point numbers of its range, most of which are tiny: a fraction in [0, 1) drawn so is
 * below 1e-100 two times in three, so an earlier timestep floor(f t) is mostly 0 and an eta mostly 0 in effect.
 */
export function uniformArbitrary(min: number, max: number, { open = false } = {}): fc.Arbitrary<number> {
  return fc.integer({ min: open ? 1 : 0, max: open ? STEPS - 1 : STEPS }).map((k) => min + ((max - min) * k) / STEPS);
}
