// The running magnitudes of host arrays the float64 reference produced or a model declared (src/compare/reference.ts).
import type { Expected } from '../speckit/combination.js';
import type { Tensor } from '../tensor.js';

export type Magnitude = Pick<Expected, 'scale' | 'floor'>;

/**
 * Magnitudes of host arrays, keyed by the data array: outputs downloaded from the tracked reference, and model
 * outputs that declared theirs (declareScaled), resolved when the reference uploads them.
 */
export const known = new WeakMap<object, Magnitude | (() => Magnitude)>();

export const ones = (n: number) => new Float64Array(n).fill(1);
export const plain = (data: ArrayLike<number>): Magnitude => ({
  scale: Float64Array.from(data, Math.abs),
  floor: ones(data.length),
});

/** The value, magnitude and flush count of a host array; an array the reference did not produce is exact as given. */
export function magnitudeOf(data: ArrayLike<number>): Expected {
  const m = known.get(data as object);
  const { scale, floor } = m === undefined ? plain(data) : typeof m === 'function' ? m() : m;
  return { value: Float64Array.from(data), scale: Float64Array.from(scale), floor: Float64Array.from(floor) };
}

/**
 * Declares that a model's output is gain x its input elementwise (a model linear in x_t): the reference then carries
 * the input's running magnitude through the model, as the loops group does, instead of restarting it at |output|.
 */
export function declareScaled(output: Tensor, input: Tensor, gain: number): Tensor {
  known.set(output.data, () => {
    const m = magnitudeOf(input.data);
    return { scale: m.scale.map((s) => Math.abs(gain) * s), floor: m.floor.map((f) => 1 + Math.abs(gain) * f) };
  });
  return output;
}

