// The reverse options as a grid that every run enumerates: each prediction x variance x clip (x eta, for the DDIM
// operations, the only ones that declare it) combination gets its own fast-check run with random data, so whether a
// combination is checked never depends on the seed.
import fc from 'fast-check';
import type { ReverseOptions } from '../../src/contract/backend.js';
import type { PredictionType } from '../../src/equations/prediction.js';
import type { VarianceType } from '../../src/equations/variance.js';
import { PREDICTION_TYPES, VARIANCE_TYPES } from '../../src/pipeline/validate.js';
import type { SpecContext } from '../../src/speckit/context.js';
import { SpecFailure } from '../../src/speckit/context.js';
import { uniformArbitrary } from '../arbitraries/uniform.js';

/** eta's range [0, 1] as three classes: its two ends, and a value drawn strictly between them. */
type EtaClass = 0 | 'between' | 1;

export interface OptionAxes {
  prediction?: readonly PredictionType[];
  variance?: readonly VarianceType[];
  clip?: readonly boolean[];
}

/** The options of p_mean_variance, ddpm_step and sample_ddpm ('reverse options' in src/operations): no eta. */
export interface OptionCombination {
  prediction: PredictionType;
  variance: VarianceType;
  clip: boolean;
}

/** The options of the DDIM operations ('reverse options with eta'), eta as its class. */
export interface EtaCombination extends OptionCombination {
  eta: EtaClass;
}

/** The options a body receives: the combination, with eta drawn from its class where the grid has eta. */
export type DrawnOptions<C extends OptionCombination> = C extends EtaCombination
  ? OptionCombination & { eta: number }
  : OptionCombination;

/** Every combination of the axes; an axis left out takes every value. */
export function optionGrid(axes?: OptionAxes): OptionCombination[];
/** Every combination of the axes and eta, for the operations that take eta. */
export function optionGrid(axes: OptionAxes, eta: readonly EtaClass[]): EtaCombination[];
export function optionGrid(axes: OptionAxes = {}, eta?: readonly EtaClass[]): OptionCombination[] {
  const { prediction = PREDICTION_TYPES, variance = VARIANCE_TYPES, clip = [false, true] } = axes;
  const grid = prediction.flatMap((p) =>
    variance.flatMap((v) => clip.map((c) => ({ prediction: p, variance: v, clip: c }))),
  );
  return eta === undefined ? grid : grid.flatMap((o) => eta.map((e) => ({ ...o, eta: e })));
}

const etaArbitrary = (combination: OptionCombination): fc.Arbitrary<number | undefined> => {
  if (!('eta' in combination)) return fc.constant(undefined);
  const eta = (combination as EtaCombination).eta;
  return eta === 'between' ? uniformArbitrary(0, 1, { open: true }) : fc.constant(eta);
};

const describeOptions = (o: ReverseOptions) =>
  `${o.prediction}, ${o.variance}, clip ${o.clip}${o.eta === undefined ? '' : `, eta ${o.eta}`}`;

/**
 * Runs `body` on `runsEach` random draws of `data` for every combination of the grid, each combination under its own
 * seeds derived from the check's (so a failure replays), its options named in the failure. fast-check biases its first
 * runs towards edge cases (T = 1, t' = 0, zeros), where many bugs vanish: half the runs of each combination keep that
 * bias, the other half draw without it, so each combination also meets typical data.
 */
export async function forEachOption<T, C extends OptionCombination>(
  ctx: SpecContext,
  grid: readonly C[],
  data: fc.Arbitrary<T>,
  runsEach: number,
  body: (value: T, options: DrawnOptions<C>) => Promise<void>,
): Promise<void> {
  for (const [i, combination] of grid.entries()) {
    const property = fc.asyncProperty(data, etaArbitrary(combination), async (value, eta) => {
      // eta (a class in the grid) becomes its drawn value; a combination without eta passes none
      const { prediction, variance, clip } = combination;
      const options: ReverseOptions = { prediction, variance, clip, ...(eta === undefined ? {} : { eta }) };
      try {
        await body(value, options as DrawnOptions<C>);
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
