// The reverse options as a grid that every run enumerates: each prediction x variance x clip x eta combination gets its
// own fast-check run with random data, so whether a combination is checked never depends on the seed.
import fc from 'fast-check';
import type { ReverseOptions } from '../../src/contract/backend.js';
import type { PredictionType } from '../../src/equations/prediction.js';
import type { VarianceType } from '../../src/equations/variance.js';
import { PREDICTION_TYPES, VARIANCE_TYPES } from '../../src/pipeline/validate.js';
import type { SpecContext } from '../../src/speckit/context.js';
import { SpecFailure } from '../../src/speckit/context.js';
import { uniformArbitrary } from '../arbitraries/uniform.js';

/** eta's range [0, 1] as three classes: its two ends, and a value drawn strictly between them. */
export type EtaClass = 0 | 'between' | 1;

export interface OptionAxes {
  prediction?: readonly PredictionType[];
  variance?: readonly VarianceType[];
  clip?: readonly boolean[];
  eta?: readonly EtaClass[];
}

export interface OptionCombination {
  prediction: PredictionType;
  variance: VarianceType;
  clip: boolean;
  eta: EtaClass;
}

/** Every combination of the axes; an axis left out takes every value (eta: 0 only, for operations without it). */
export function optionGrid(axes: OptionAxes = {}): OptionCombination[] {
  const { prediction = PREDICTION_TYPES, variance = VARIANCE_TYPES, clip = [false, true], eta = [0] } = axes;
  return prediction.flatMap((p) =>
    variance.flatMap((v) => clip.flatMap((c) => eta.map((e) => ({ prediction: p, variance: v, clip: c, eta: e })))),
  );
}

const etaArbitrary = (eta: EtaClass): fc.Arbitrary<number> =>
  eta === 'between' ? uniformArbitrary(0, 1, { open: true }) : fc.constant(eta);

const describeOptions = (o: Required<ReverseOptions>) => `${o.prediction}, ${o.variance}, clip ${o.clip}, eta ${o.eta}`;

/**
 * Runs `body` on `runsEach` random draws of `data` for every combination of the grid, each combination under its own
 * seeds derived from the check's (so a failure replays), its options named in the failure. fast-check biases its first
 * runs towards edge cases (T = 1, t' = 0, zeros), where many bugs vanish: half the runs of each combination keep that
 * bias, the other half draw without it, so each combination also meets typical data.
 */
export async function forEachOption<T>(
  ctx: SpecContext,
  grid: readonly OptionCombination[],
  data: fc.Arbitrary<T>,
  runsEach: number,
  body: (value: T, options: Required<ReverseOptions>) => Promise<void>,
): Promise<void> {
  for (const [i, combination] of grid.entries()) {
    const property = fc.asyncProperty(data, etaArbitrary(combination.eta), async (value, eta) => {
      const options = { ...combination, eta };
      try {
        await body(value, options);
      } catch (e) {
        if (e instanceof SpecFailure) throw new SpecFailure(`options ${describeOptions(options)}: ${e.message}`);
        throw e;
      }
    });
    const biasedRuns = Math.ceil(runsEach / 2);
    await fc.assert(property, { ...ctx.fastCheck(biasedRuns), seed: (ctx.seed + 2 * i) | 0 });
    if (runsEach === biasedRuns) continue;
    const seed = (ctx.seed + 2 * i + 1) | 0;
    await fc.assert(property, { ...ctx.fastCheck(runsEach - biasedRuns), seed, plugins: [fc.unbiased()] });
  }
}
