import type { Capability, DiffusionBackend, Precision } from '../contract/backend.js';
import type { TensorKernels } from '../contract/kernels.js';
import { type Conventions, resolveProfile } from '../conventions/profile.js';
import { inPaperTimesteps } from '../conventions/timesteps.js';
import { ALL_OPERATIONS } from '../operations/index.js';
import { boundText } from '../report/charts.js';
import type { ScheduleTables } from '../schedule/tables.js';
import { measureError } from '../speckit/tolerance.js';
import { ksTwoSampleTest, type TestOutcome } from '../stats/tests.js';
import { sameShape, type Tensor } from '../tensor.js';
import { magnitudeOf } from './magnitudes.js';
import type { CompareInputs } from './operations.js';
import { drawnNoise, trackedReference } from './reference.js';

/** An operation as `diffspec compare` runs it: its compare feed (src/operations), returning the compared tensor. */
export interface ComparedOperation {
  name: string;
  requires: Capability;
  drawsNoise: boolean;
  loop: boolean;
  roundings(precision: Precision, inputs: CompareInputs): number;
  run(b: DiffusionBackend, s: ScheduleTables, i: CompareInputs): Promise<Tensor>;
}

/** The operations of the table that `diffspec compare` times and checks, in the table's order. */
const COMPARED = ALL_OPERATIONS.flatMap((op): ComparedOperation[] => {
  const feed = op.compare;
  if ('unsupported' in feed) return [];
  return [
    {
      name: feed.label,
      requires: op.capability,
      drawsNoise: feed.drawsNoise ?? false,
      loop: feed.loop ?? false,
      roundings: feed.roundings,
      async run(b, s, i) {
        const method = b[op.method as keyof DiffusionBackend] as (args: unknown) => Promise<unknown>;
        const result = await method.call(b, feed.args(s, i));
        return (feed.output === undefined ? result : (result as Record<string, unknown>)[feed.output]) as Tensor;
      },
    },
  ];
});

/** The false-alarm rate of the distribution comparison of a backend that does not offer the noise it drew. */
const OWN_NOISE_ALPHA = 1e-3;

/** Accuracy against the float64 reference: worst errors, and the worst error as a fraction of its bound. */
interface Accuracy {
  maxAbsError: number;
  maxRelError: number;
  /** max |error| / (k (u_backend + u_float64) scale + floor), src/speckit/tolerance.ts: above 1 the bound is broken. */
  errorToBound: number;
  roundings: number;
}

/** One cell of the comparison: a backend on an operation. medianMs is absent where nothing was timed. */
export type CompareCell = { backend: string; operation: string } & (
  | (Accuracy & { medianMs?: number })
  /** A backend that draws its own noise and does not offer it: its output's distribution against the reference's. */
  | { ownNoise: TestOutcome; medianMs?: number }
  | { unsupported: string }
);

/** The accuracy of `actual` against a reference output carrying its magnitudes (src/compare/reference.ts). */
function accuracy(actual: Tensor, reference: Tensor, roundings: number, precision: Precision): Accuracy {
  if (!sameShape(actual.shape, reference.shape)) {
    throw new Error(`output shape [${actual.shape.join(', ')}], reference [${reference.shape.join(', ')}]`);
  }
  const r = magnitudeOf(reference.data);
  const m = measureError(actual.data, r.value, r.scale, roundings, precision, r.floor);
  return { maxAbsError: m.maxAbsError, maxRelError: m.maxRelError, errorToBound: m.worstErrorToBound, roundings };
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

async function medianTime(repeats: number, run: () => Promise<unknown>): Promise<number | undefined> {
  if (repeats === 0) return undefined;
  const times: number[] = [];
  for (let r = 0; r < repeats; r++) {
    const start = performance.now();
    await run();
    times.push(performance.now() - start);
  }
  return median(times);
}

/**
 * Runs every compared operation on each backend with the same inputs; accuracy is against the float64 reference
 * (the kernels `reference`, tracking each value's running magnitude for its error bound), speed the median wall
 * time of `repeats` runs after the first. Where an operation draws the backend's own noise, the reference is run on
 * the noise that backend drew (its randomNormal on the loop's streams), so the error is arithmetic alone; a backend
 * that does not offer its noise (no 'random' capability) gets a two-sample test of its output against the reference's.
 */
export async function compareBackends(
  reference: TensorKernels<Tensor, true>,
  backends: readonly DiffusionBackend[],
  inputs: CompareInputs,
  repeats: number,
  onCell?: (c: CompareCell) => void,
  only: (op: ComparedOperation) => boolean = () => true,
): Promise<CompareCell[]> {
  const cells: CompareCell[] = [];
  for (const op of COMPARED.filter(only)) {
    // The reference's output under each profile the backends declare (src/conventions), computed once per profile.
    const shared = new Map<string, Promise<Tensor>>();
    const sharedOutput = (c: Conventions) => {
      const run = async () => {
        const r = trackedReference(reference, undefined, c);
        return op.run(r, await r.schedule(inputs.schedule), inputs);
      };
      if (!shared.has(c.profile)) shared.set(c.profile, run());
      return shared.get(c.profile)!;
    };
    for (const declared of backends) {
      const conventions = resolveProfile(declared.profile);
      // Every backend is run in the paper's timesteps, as the compare feeds give them.
      const b = inPaperTimesteps(declared, conventions);
      const at = { backend: b.name, operation: op.name };
      let cell: CompareCell;
      if (!b.capabilities.includes(op.requires)) cell = { ...at, unsupported: `lacks ${op.requires}` };
      else {
        try {
          const tables = await b.schedule(inputs.schedule);
          const output = await op.run(b, tables, inputs);
          const medianMs = await medianTime(repeats, () => op.run(b, tables, inputs));
          const roundings = op.roundings(b.precision, inputs);
          const measured = (expected: Tensor) => ({
            ...at,
            ...accuracy(output, expected, roundings, b.precision),
            medianMs,
          });
          if (!op.drawsNoise) cell = measured(await sharedOutput(conventions));
          else if (b.capabilities.includes('random')) {
            const own = trackedReference(reference, drawnNoise(b), conventions);
            cell = measured(await op.run(own, await own.schedule(inputs.schedule), inputs));
          } else {
            const test = ksTwoSampleTest(output.data, (await sharedOutput(conventions)).data, OWN_NOISE_ALPHA);
            cell = { ...at, ownNoise: test, medianMs };
          }
        } catch (e) {
          cell = { ...at, unsupported: `failed: ${e instanceof Error ? e.message : String(e)}` };
        }
      }
      cells.push(cell);
      onCell?.(cell);
    }
  }
  return cells;
}

/** An error as the tables show it: two significant digits. */
export const exponential = (v: number) => (v === 0 ? '0' : v.toExponential(1));

/** One cell as the markdown table shows it. */
function cellText(c: CompareCell): string {
  if ('unsupported' in c) return `- (${c.unsupported.replace(/\|/g, '\\|')})`;
  const time = c.medianMs === undefined ? '' : ` · ${c.medianMs.toFixed(2)} ms`;
  if ('ownNoise' in c) {
    const { statistic, pValue } = c.ownNoise;
    return `n/a (own noise): KS D = ${statistic.toFixed(3)}, p = ${pValue.toPrecision(2)}${time}`;
  }
  const errors = `${exponential(c.maxAbsError)} / ${exponential(c.maxRelError)}`;
  return `${errors} · **${boundText(c.errorToBound)}** of bound${time}`;
}

/** The table as markdown: one row per operation, per backend "abs / rel error · error / bound · ms". */
export function compareMarkdown(cells: readonly CompareCell[], inputs: CompareInputs, repeats: number): string {
  const backends = [...new Set(cells.map((c) => c.backend))];
  const operations = [...new Set(cells.map((c) => c.operation))];
  const noisy = new Set(COMPARED.filter((o) => o.drawsNoise).map((o) => o.name));
  const cell = (op: string, b: string) => cellText(cells.find((x) => x.operation === op && x.backend === b)!);
  const row = (op: string) => backends.map((b) => cell(op, b)).join(' | ');
  const timed = repeats > 0 ? ` · median of ${repeats} runs` : '';
  return [
    `Inputs: shape [${inputs.shape.join(', ')}], seed ${inputs.seed}, schedule linear T = ${inputs.schedule.T}, ` +
      `loops of ${inputs.steps} steps; max abs / max rel error against the float64 reference · error as a fraction ` +
      'of its bound k (u_backend + u_float64) scale (src/speckit/tolerance.ts; near 1: look closer, above 1: broken)' +
      `${timed}.`,
    '',
    `| operation | ${backends.join(' | ')} |`,
    `| --- | ${backends.map(() => '---').join(' | ')} |`,
    ...operations.map((op) => `| ${op}${noisy.has(op) ? ' †' : ''} | ${row(op)} |`),
    '',
    "† draws the backend's own noise: the reference is run on the noise that backend drew (its randomNormal on the " +
      "loop's streams), so the error is arithmetic alone. A backend that does not offer its noise shows n/a and a " +
      `two-sample Kolmogorov-Smirnov test of its output against the reference's (alpha ${OWN_NOISE_ALPHA}).`,
  ].join('\n');
}
