import fc from 'fast-check';
import type { ScheduleSpec } from '../../src/schedule/spec.js';
import { scheduleBetas } from '../../src/schedule/tables.js';
import { sizeOf, type Tensor, tensor } from '../../src/tensor.js';
import { shapeArbitrary, valueArbitrary } from './batch.js';
import { scheduleSpecArbitrary } from './schedule.js';

/** A schedule, a shape, timesteps (tMin..T, one per batch item) and `count` tensors of that shape. */
export interface BatchCase {
  schedule: ScheduleSpec;
  T: number;
  shape: number[];
  t: number[];
  tensors: Tensor[];
}

export function batchCaseArbitrary(
  count: number,
  { tMin = 1, minT = 1, shape = shapeArbitrary }: { tMin?: number; minT?: number; shape?: fc.Arbitrary<number[]> } = {},
): fc.Arbitrary<BatchCase> {
  return fc
    .tuple(
      scheduleSpecArbitrary().filter((s) => scheduleBetas(s).length >= Math.max(minT, tMin)),
      shape,
    )
    .chain(([schedule, shape]) => {
      const T = scheduleBetas(schedule).length;
      const n = sizeOf(shape);
      return fc.record({
        schedule: fc.constant(schedule),
        T: fc.constant(T),
        shape: fc.constant(shape),
        t: fc.array(fc.integer({ min: tMin, max: T }), { minLength: shape[0], maxLength: shape[0] }),
        tensors: fc.tuple(
          ...Array.from({ length: count }, () =>
            fc.array(valueArbitrary, { minLength: n, maxLength: n }).map((d) => tensor(shape, d)),
          ),
        ),
      });
    });
}
