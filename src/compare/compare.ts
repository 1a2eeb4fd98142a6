import type { Capability, DiffusionBackend } from '../contract/backend.js';
import { ALL_OPERATIONS } from '../operations/index.js';
import type { ScheduleTables } from '../schedule/tables.js';
import { sameShape, type Tensor } from '../tensor.js';
import { COMPARE_SCHEDULE, type CompareInputs } from './operations.js';

/** An operation as `diffspec compare` runs it: its compare feed (src/operations), returning the compared tensor. */
interface ComparedOperation {
  name: string;
  requires: Capability;
  drawsNoise: boolean;
  run(b: DiffusionBackend, s: ScheduleTables, i: CompareInputs): Promise<Tensor>;
}

/** The operations of the table that `diffspec compare` times and checks, in the table's order. */
const COMPARED = ALL_OPERATIONS.flatMap((op): ComparedOperation[] => {
  const feed = op.compare;
  if ('unsupported' in feed) return [];
  return [{
    name: feed.label,
    requires: op.capability,
    drawsNoise: feed.drawsNoise ?? false,
    async run(b, s, i) {
      const method = b[op.method as keyof DiffusionBackend] as (args: unknown) => Promise<unknown>;
      const result = await method.call(b, feed.args(s, i));
      return (feed.output === undefined ? result : (result as Record<string, unknown>)[feed.output]) as Tensor;
    },
  }];
});

/** One cell of the comparison: a backend on an operation. */
export type CompareCell =
  | { backend: string; operation: string; maxAbsError: number; maxRelError: number; medianMs: number }
  | { backend: string; operation: string; unsupported: string };

/** Worst absolute and relative difference of `actual` from the reference output. */
export function difference(actual: Tensor, reference: Tensor): { maxAbsError: number; maxRelError: number } {
  if (!sameShape(actual.shape, reference.shape)) throw new Error(`output shape [${actual.shape.join(', ')}], reference [${reference.shape.join(', ')}]`);
  let maxAbsError = 0;
  let maxRelError = 0;
  for (let i = 0; i < actual.data.length; i++) {
    const e = Math.abs(actual.data[i] - reference.data[i]);
    maxAbsError = Math.max(maxAbsError, Number.isNaN(e) ? Infinity : e);
    if (reference.data[i] !== 0) maxRelError = Math.max(maxRelError, e / Math.abs(reference.data[i]));
  }
  return { maxAbsError, maxRelError };
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

/**
 * Runs every compared operation on each backend with the same inputs, after one warm-up run; accuracy is
 * against the float64 reference's output, speed the median wall time of `repeats` runs.
 */
export async function compareBackends(reference: DiffusionBackend, backends: readonly DiffusionBackend[], inputs: CompareInputs, repeats: number, onCell?: (c: CompareCell) => void): Promise<CompareCell[]> {
  const cells: CompareCell[] = [];
  const referenceTables = await reference.schedule(COMPARE_SCHEDULE);
  for (const op of COMPARED) {
    const expected = await op.run(reference, referenceTables, inputs);
    for (const b of backends) {
      let cell: CompareCell;
      if (!b.capabilities.includes(op.requires)) cell = { backend: b.name, operation: op.name, unsupported: `lacks ${op.requires}` };
      else {
        try {
          const tables = await b.schedule(COMPARE_SCHEDULE);
          const output = await op.run(b, tables, inputs);
          const times: number[] = [];
          for (let r = 0; r < repeats; r++) {
            const start = performance.now();
            await op.run(b, tables, inputs);
            times.push(performance.now() - start);
          }
          cell = { backend: b.name, operation: op.name, ...difference(output, expected), medianMs: median(times) };
        } catch (e) {
          cell = { backend: b.name, operation: op.name, unsupported: `failed: ${e instanceof Error ? e.message : String(e)}` };
        }
      }
      cells.push(cell);
      onCell?.(cell);
    }
  }
  return cells;
}

const exp = (v: number) => (v === 0 ? '0' : v.toExponential(1));

/** The accuracy and speed table as markdown: one row per operation, per backend "abs / rel error, ms". */
export function compareMarkdown(cells: readonly CompareCell[], inputs: CompareInputs, repeats: number): string {
  const backends = [...new Set(cells.map((c) => c.backend))];
  const operations = [...new Set(cells.map((c) => c.operation))];
  const noisy = new Set(COMPARED.filter((o) => o.drawsNoise).map((o) => o.name));
  const cell = (op: string, b: string) => {
    const c = cells.find((x) => x.operation === op && x.backend === b)!;
    return 'unsupported' in c ? `- (${c.unsupported.replace(/\|/g, '\\|')})` : `${exp(c.maxAbsError)} / ${exp(c.maxRelError)} · ${c.medianMs.toFixed(2)} ms`;
  };
  return [
    `Inputs: shape [${inputs.shape.join(', ')}], seed ${inputs.seed}, schedule linear T = 1000; max abs / max rel error against the float64 reference · median of ${repeats} runs.`,
    '',
    `| operation | ${backends.join(' | ')} |`,
    `| --- | ${backends.map(() => '---').join(' | ')} |`,
    ...operations.map((op) => `| ${op}${noisy.has(op) ? ' †' : ''} | ${backends.map((b) => cell(op, b)).join(' | ')} |`),
    '',
    '† draws the backend\'s own noise: equal to the reference only for backends that use the shared generator (src/random).',
  ].join('\n');
}
