import { describe, expect, it } from 'vitest';
import { SpecContext, SpecFailure } from '../src/speckit/context.js';
import { measureError } from '../src/speckit/tolerance.js';
import type { Tensor } from '../src/tensor.js';

// The harness's own comparisons: |actual - expected| <= k (u_backend + u_float64) scale + floor
// (src/speckit/tolerance.ts). A value that slips past it as NaN would make every check that uses it unfailable.
const tensor = (values: number[]): Tensor => ({ shape: [values.length], data: Float64Array.from(values) });
const context = () => new SpecContext(1, 'float32');
const compare = (actual: number[], expected: number[], scale = expected.map(() => 1)) =>
  context().expectClose({ what: 'x', actual: tensor(actual), expected, scale, roundings: 1 });

describe('expectClose', () => {
  it('passes values within the bound and fails one beyond it', () => {
    expect(() => compare([1, 2 + 2 ** -26], [1, 2])).not.toThrow();
    expect(() => compare([1, 2 + 2 ** -20], [1, 2])).toThrow(SpecFailure);
  });

  it('fails a non-finite actual value', () => {
    expect(() => compare([1, Number.NaN], [1, 2])).toThrow(/x\[1\] is NaN/);
    expect(() => compare([Number.POSITIVE_INFINITY], [1])).toThrow(SpecFailure);
  });

  it('refuses a non-finite expected value or scale as a defect of the spec', () => {
    expect(() => compare([1, 2], [1, Number.NaN])).toThrow(/x\[1\]: the reference gives NaN/);
    expect(() => compare([1], [1], [Number.NaN])).toThrow(/defect of the spec/);
  });
});

describe('measureError', () => {
  it('counts a NaN anywhere as an unbounded error at its index', () => {
    for (const [actual, expected, scale] of [
      [
        [1, Number.NaN],
        [1, 2],
        [1, 1],
      ],
      [
        [1, 2],
        [1, Number.NaN],
        [1, 1],
      ],
      [
        [1, 2],
        [1, 2],
        [1, Number.NaN],
      ],
    ]) {
      const m = measureError(actual, expected, scale, 1, 'float32');
      expect(m.worstErrorToBound).toBe(Number.POSITIVE_INFINITY);
      expect(m.worstIndex).toBe(1);
    }
  });
});
