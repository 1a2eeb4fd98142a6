import type { Precision } from '../contract/backend.js';
import { type Conventions, DEFAULT_CONVENTIONS } from '../conventions/profile.js';
import type { TestOutcome } from '../stats/tests.js';
import { sameShape, sizeOf, type Tensor } from '../tensor.js';
import { measureError } from './tolerance.js';

/** A measurement kept for reports. */
export type SpecRecord =
  /** maxRelError counts only values not lost to cancellation (|expected| >= sqrt(u_float64) x scale). */
  | {
      kind: 'accuracy';
      what: string;
      roundings: number;
      maxAbsError: number;
      maxRelError: number;
      worstErrorToBound: number;
    }
  | ({ kind: 'statistic'; seed: number } & TestOutcome)
  | { kind: 'note'; text: string }
  /** Figures for reports: samples of a 2-D model against its data, and a curve such as a training loss. */
  | { kind: 'samples2d'; what: string; samples: [number, number][]; data: [number, number][] }
  | { kind: 'curve'; what: string; xLabel: string; yLabel: string; points: [number, number][] };

/** At most this many points of a figure are kept (reports stay small). */
const FIGURE_POINT_LIMIT = 2000;

const firstPoints = <T>(points: readonly T[]) => points.slice(0, FIGURE_POINT_LIMIT);

/** A claim that did not hold. */
export class SpecFailure extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SpecFailure';
  }
}

export interface ExpectCloseArgs {
  what: string;
  actual: Tensor | undefined;
  expected: ArrayLike<number>;
  /** Per element: the running sum of magnitudes the error bound scales with. */
  scale: ArrayLike<number>;
  /** k in |error| <= k (u_backend + u_float64) scale, from src/speckit/tolerance.ts. */
  roundings: number;
  /**
   * Per element: how many flush-to-zero errors (each below the smallest normal
   * number) reach it, scaled by the coefficients applied after them; default 1.
   */
  floor?: ArrayLike<number>;
  shape?: readonly number[];
}

export class SpecContext {
  readonly records: SpecRecord[] = [];
  private alphaSpent = 0;

  constructor(
    /** This check's seed (derived from the suite seed and the check id). */
    readonly seed: number,
    readonly precision: Precision,
    /** The false-alarm rate this check may spend, for statistical checks. */
    readonly falseAlarm = 0,
    /**
     * The backend's convention profile (src/conventions): the check's expected values follow its numeric choices. The
     * backend is seen in the paper's timesteps whatever its indexing (inPaperTimesteps).
     */
    readonly conventions: Conventions = DEFAULT_CONVENTIONS,
  ) {}

  /** A fresh, reproducible seed for the i-th random draw of this check. */
  subSeed(i: number): number {
    return (Math.imul(this.seed ^ 0x9e3779b9, 0x85ebca6b) + Math.imul(i + 1, 0xc2b2ae35)) >>> 0;
  }

  /** fast-check parameters for this check: its seed, so a failure replays. */
  fastCheck(numRuns: number): { seed: number; numRuns: number } {
    return { seed: this.seed | 0, numRuns };
  }

  note(text: string): void {
    this.records.push({ kind: 'note', text });
  }

  /** Keeps 2-D samples and the data they should match, for the report's scatter plot. */
  figureSamples2d(what: string, samples: readonly [number, number][], data: readonly [number, number][]): void {
    this.records.push({ kind: 'samples2d', what, samples: firstPoints(samples), data: firstPoints(data) });
  }

  /** Keeps a curve (e.g. training loss by step) for the report's line chart. */
  figureCurve(what: string, xLabel: string, yLabel: string, points: readonly [number, number][]): void {
    this.records.push({ kind: 'curve', what, xLabel, yLabel, points: firstPoints(points) });
  }

  fail(message: string): never {
    throw new SpecFailure(message);
  }

  expectShape(what: string, actual: Tensor | undefined, shape: readonly number[]): Tensor {
    if (!actual || !Array.isArray(actual.shape))
      this.fail(
        `${what}: expected a tensor of shape [${shape.join(', ')}], got ${JSON.stringify(actual)?.slice(0, 80)}`,
      );
    if (!(actual.data instanceof Float64Array || actual.data instanceof Float32Array))
      this.fail(
        `${what}: data must be a Float64Array or Float32Array, got ${Object.prototype.toString.call(actual.data)}`,
      );
    if (!sameShape(actual.shape, shape))
      this.fail(`${what}: shape is [${actual.shape.join(', ')}], expected [${shape.join(', ')}]`);
    if (actual.data.length !== sizeOf(shape))
      this.fail(`${what}: has ${actual.data.length} values for shape [${shape.join(', ')}]`);
    return actual;
  }

  /** Elementwise |actual - expected| <= k (u_backend + u_float64) scale + floor; records the worst ratio. */
  expectClose({ what, actual, expected, scale, roundings, shape, floor: floors }: ExpectCloseArgs): void {
    const a = this.expectShape(what, actual, shape ?? [expected.length]).data;
    for (let i = 0; i < a.length; i++) {
      // A non-finite reference value or bound would make every comparison false, so the check could not fail.
      if (!Number.isFinite(expected[i]) || !Number.isFinite(scale[i])) {
        throw new Error(
          `${what}[${i}]: the reference gives ${expected[i]} with scale ${scale[i]} (a defect of the spec)`,
        );
      }
      if (!Number.isFinite(a[i])) this.fail(`${what}[${i}] is ${a[i]}, expected ${expected[i]}`);
    }
    const m = measureError(a, expected, scale, roundings, this.precision, floors);
    const { maxAbsError, maxRelError, worstErrorToBound: worst, boundAt } = m;
    this.records.push({ kind: 'accuracy', what, roundings, maxAbsError, maxRelError, worstErrorToBound: worst });
    if (worst > 1) {
      const i = m.worstIndex;
      this.fail(
        `${what}[${i}] = ${a[i]}, expected ${expected[i]}: error ${Math.abs(a[i] - expected[i]).toExponential(3)} exceeds the bound ` +
          `${boundAt(i).toExponential(3)} (${roundings} roundings x (u_${this.precision} + u_float64) x scale ${Number(scale[i]).toExponential(3)}) by ${worst.toFixed(1)}x`,
      );
    }
  }

  /** Records a hypothesis test and fails when it rejects; alphas spent may not exceed the check's falseAlarm. */
  statistic(outcome: TestOutcome): void {
    this.alphaSpent += outcome.alpha;
    if (this.alphaSpent > this.falseAlarm * (1 + 1e-9)) {
      throw new Error(
        `statistical tests spent alpha ${this.alphaSpent} but the check declares falseAlarm ${this.falseAlarm}`,
      );
    }
    this.records.push({ kind: 'statistic', seed: this.seed, ...outcome });
    if (!(outcome.pValue >= outcome.alpha)) {
      this.fail(
        `${outcome.test} rejected: statistic ${outcome.statistic.toPrecision(5)}, p = ${outcome.pValue.toExponential(3)} < alpha = ${outcome.alpha.toExponential(3)} (n = ${outcome.n}; detects ${outcome.detects})`,
      );
    }
  }
}
