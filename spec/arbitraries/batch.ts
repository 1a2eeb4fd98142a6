import fc from 'fast-check';
import { uniformArbitrary } from './uniform.js';

/** An NCHW (or NC) shape with at most 64 elements per item and a batch of 1..4. */
export const shapeArbitrary = fc.oneof(
  fc
    .tuple(
      fc.integer({ min: 1, max: 4 }),
      fc.integer({ min: 1, max: 3 }),
      fc.integer({ min: 1, max: 4 }),
      fc.integer({ min: 1, max: 4 }),
    )
    .map((s) => [...s]),
  fc.tuple(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 8 })).map((s) => [...s]),
);

/**
 * Finite values of data or noise magnitude: mostly uniform on [-5, 5], and spread over every magnitude (fc.double: tiny
 * and subnormal values, where flushes to zero show), exact zeros and values far from 1.
 */
export const valueArbitrary = fc.oneof(
  { weight: 5, arbitrary: uniformArbitrary(-5, 5) },
  { weight: 3, arbitrary: fc.double({ min: -5, max: 5, noNaN: true, noDefaultInfinity: true }) },
  { weight: 1, arbitrary: fc.constantFrom(0, 1, -1) },
  { weight: 1, arbitrary: fc.double({ min: -1e6, max: 1e6, noNaN: true, noDefaultInfinity: true }) },
);
