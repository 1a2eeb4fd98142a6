import fc from 'fast-check';
import type { ScheduleSpec } from '../../src/schedule/spec.js';

const beta = (min: number, max: number) => fc.double({ min, max, noNaN: true, noDefaultInfinity: true });

/** Any valid schedule description: linear, quadratic, sigmoid, cosine or explicit betas, T in 1..maxT. */
export function scheduleSpecArbitrary(maxT = 1000): fc.Arbitrary<ScheduleSpec> {
  const T = fc.integer({ min: 1, max: maxT });
  const range = fc.tuple(beta(1e-5, 0.01), beta(0.01, 0.1)).map(([a, b]) => ({ betaStart: a, betaEnd: b }));
  return fc.oneof(
    fc.record({ kind: fc.constantFrom('linear' as const, 'quadratic' as const), T, range }).map(({ kind, T, range }) => ({ kind, T, ...range })),
    fc.record({ T, range }).map(({ T, range }) => ({ kind: 'sigmoid' as const, T, ...range })),
    fc.record({ T, s: beta(0, 0.02) }).map(({ T, s }) => ({ kind: 'cosine' as const, T, s })),
    fc.array(beta(1e-5, 0.5), { minLength: 1, maxLength: 200 }).map((betas) => ({ betas })),
  );
}

/** A schedule with T >= 2 (posterior and reverse specs need a t - 1 with noise). */
export const reverseScheduleArbitrary = () => scheduleSpecArbitrary(1000).filter((s) => ('betas' in s ? s.betas.length : s.T) >= 2);
