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
export function plain(data: ArrayLike<number>): Magnitude {
  const scale = new Float64Array(data.length);
  for (let i = 0; i < data.length; i++) scale[i] = Math.abs(data[i]);
  return { scale, floor: ones(data.length) };
}

/**
 * The value, magnitude and flush count of a host array; an array the reference did not produce is exact as given.
 * The arrays returned may be shared with the reference: read them, never write them.
 */
export function magnitudeOf(data: ArrayLike<number>): Expected {
  const m = known.get(data as object);
  const { scale, floor } = m === undefined ? plain(data) : typeof m === 'function' ? m() : m;
  return { value: data instanceof Float64Array ? data : Float64Array.from(data), scale, floor };
}

/**
 * Declares that a model's output is gain x its input elementwise (a model linear in x_t): the reference then carries
 * the input's running magnitude through the model, as the loops group does, instead of restarting it at |output|.
 */
export function declareScaled(output: Tensor, input: Tensor, gain: number): Tensor {
  known.set(output.data, () => {
    const m = magnitudeOf(input.data);
    const g = Math.abs(gain);
    const scale = new Float64Array(m.scale.length);
    const floor = new Float64Array(m.floor.length);
    for (let i = 0; i < scale.length; i++) {
      scale[i] = g * m.scale[i];
      floor[i] = 1 + g * m.floor[i];
    }
    return { scale, floor };
  });
  return output;
}
