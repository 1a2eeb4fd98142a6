import fc from 'fast-check';
import type { ScheduleSpec } from '../../src/schedule/spec.js';

const beta = (min: number, max: number) => fc.double({ min, max, noNaN: true, noDefaultInfinity: true });

/** Any valid schedule description: linear, quadratic, sigmoid, cosine or explicit betas, T in 1..maxT. */
export function scheduleSpecArbitrary(maxT = 1000): fc.Arbitrary<ScheduleSpec> {
  const T = fc.integer({ min: 1, max: maxT });
  const range = fc.tuple(beta(1e-5, 0.01), beta(0.01, 0.1)).map(([a, b]) => ({ betaStart: a, betaEnd: b }));
  return fc.oneof(
    fc
      .record({ kind: fc.constantFrom('linear' as const, 'quadratic' as const), T, range })
      .map(({ kind, T, range }) => ({ kind, T, ...range })),
    fc.record({ T, range }).map(({ T, range }) => ({ kind: 'sigmoid' as const, T, ...range })),
    fc.record({ T, s: beta(0, 0.02) }).map(({ T, s }) => ({ kind: 'cosine' as const, T, s })),
    fc.array(beta(1e-5, 0.5), { minLength: 1, maxLength: 200 }).map((betas) => ({ betas })),
  );
}

const double = (min: number, max: number) => fc.double({ min, max, noNaN: true, noDefaultInfinity: true });
/**
 * beta in (0, 1), the documented range of every beta option, with the usual 1e-5..0.1 drawn as often as the rest.
 * From 2^-50 up: below it 1 - beta is within 8 ulp of 1 and float64 alpha-bar can no longer be claimed to decrease.
 */
const anyBeta = () => fc.oneof(double(1e-5, 0.1), double(2 ** -50, 1 - 2 ** -53));
/** An option that may be left out (its default applies) or set anywhere in its range. */
const optional = <T>(value: fc.Arbitrary<T>) => fc.option(value, { nil: undefined });

/**
 * Below this log alpha-bar_T stays far from float64 underflow (log 2^-1022 = -708.4): a schedule is valid only while
 * alpha-bar_T is a normal number (src/schedule/tables.ts). Bounded from the options alone, never from the betas of
 * the code under test: -log(1 - beta) summed over T betas, each at most the largest of its kind.
 */
const LOG_ALPHA_BAR_LIMIT = -700;
const fitsFloat64 = (T: number, largestBeta: number) => T * Math.log1p(-largestBeta) > LOG_ALPHA_BAR_LIMIT;

/**
 * Any valid schedule description, every option over its documented range (src/schedule/spec.ts): T in 1..maxT;
 * betaStart and betaEnd in (0, 1) in either order; cosine s >= 0 and maxBeta in (0, 1), each also left at its
 * default; sigmoidStart and sigmoidEnd finite (and defaulted); explicit betas in (0, 1). The schedules group draws
 * from it; the groups that take a schedule as input still draw from the usual range above.
 */
export function scheduleOptionsArbitrary(maxT = 1000): fc.Arbitrary<ScheduleSpec> {
  const T = fc.integer({ min: 1, max: maxT });
  const range = fc.record({ betaStart: anyBeta(), betaEnd: anyBeta() });
  const sigmoidEnd = fc.oneof(double(-20, 20), double(-1e4, 1e4));
  return fc.oneof(
    fc
      .record({ kind: fc.constantFrom('linear' as const, 'quadratic' as const), T, range })
      .filter(({ T, range }) => fitsFloat64(T, Math.max(range.betaStart, range.betaEnd)))
      .map(({ kind, T, range }) => ({ kind, T, ...range })),
    fc
      .record({ T, range, sigmoidStart: optional(sigmoidEnd), sigmoidEnd: optional(sigmoidEnd) })
      .filter(({ T, range }) => fitsFloat64(T, Math.max(range.betaStart, range.betaEnd)))
      .map(({ T, range, sigmoidStart, sigmoidEnd }) => ({
        kind: 'sigmoid' as const,
        T,
        ...range,
        ...(sigmoidStart === undefined ? {} : { sigmoidStart }),
        ...(sigmoidEnd === undefined ? {} : { sigmoidEnd }),
      })),
    fc
      .record({ T, s: optional(fc.oneof(double(0, 0.02), double(0, 100))), maxBeta: optional(anyBeta()) })
      .map(({ T, s, maxBeta }) => ({
        kind: 'cosine' as const,
        T,
        ...(s === undefined ? {} : { s }),
        ...(maxBeta === undefined ? {} : { maxBeta }),
      })),
    fc
      .array(anyBeta(), { minLength: 1, maxLength: 200 })
      .filter((betas) => betas.reduce((sum, b) => sum + Math.log1p(-b), 0) > LOG_ALPHA_BAR_LIMIT)
      .map((betas) => ({ betas })),
  );
}
