// Error growth: `diffspec compare --sweep AXIS=V,...` reruns the comparison with one setting varied at a time (the
// others at their defaults) and plots each backend's worst error against it, log-log, per operation.
import type { TopLevelSpec } from 'vega-lite';
import type { DiffusionBackend } from '../contract/backend.js';
import type { TensorKernels } from '../contract/kernels.js';
import { boundText } from '../report/charts.js';
import type { Tensor } from '../tensor.js';
import { type CompareCell, compareBackends, exponential } from './compare.js';
import { type CompareSetting, compareInputs } from './operations.js';
import { SWEEP_AXES, type Sweep, type SweepAxis } from './setting.js';

/** The batch of every sweep's inputs; a size sweep spreads `size` elements as [BATCH, 1, 1, size / BATCH]. */
const BATCH = 8;

/** The setting of one point: the default with the swept axis at `value`. */
function sweepSetting(base: Required<CompareSetting>, axis: SweepAxis, value: number): Required<CompareSetting> {
  if (axis === 'size') return { ...base, shape: [BATCH, 1, 1, Math.ceil(value / BATCH)] };
  return { ...base, [axis]: value };
}

/** One measured point: a backend on an operation with the swept axis at `value`. */
export type SweepPoint = { axis: SweepAxis; value: number } & CompareCell;

/** Runs every sweep; accuracy only (no timing), each point against the float64 reference as compareBackends does. */
export async function runSweeps(
  reference: TensorKernels<Tensor, true>,
  backends: readonly DiffusionBackend[],
  sweeps: readonly Sweep[],
  base: Required<CompareSetting>,
  onPoint?: (p: SweepPoint) => void,
): Promise<SweepPoint[]> {
  const points: SweepPoint[] = [];
  for (const { axis, values } of sweeps) {
    for (const value of values) {
      const setting = sweepSetting(base, axis, value);
      if (axis === 'steps' && value > setting.T) {
        throw new Error(`--sweep steps=${value}: a loop has at most T = ${setting.T} steps`);
      }
      const inputs = compareInputs(setting);
      const only = SWEEP_AXES[axis].loopsOnly ? (op: { loop: boolean }) => op.loop : undefined;
      const cells = await compareBackends(reference, backends, inputs, 0, undefined, only);
      for (const c of cells) {
        const x = axis === 'size' ? inputs.x0.data.length : value;
        const point = { axis, value: x, ...c };
        points.push(point);
        onPoint?.(point);
      }
    }
  }
  return points;
}

const SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';
/** Log axes labelled 1k, 100k, 1M and 1e-7, 1e-6: readable where plain numbers run to many zeros. */
const X_AXIS = { format: '~s' };
const Y_AXIS = { format: '.0e' };

/**
 * The figure of one sweep: worst absolute error against the swept setting, log-log, one panel per operation and a
 * line per backend. Errors of exactly 0 (the reference against itself) have no place on a log axis and are left out.
 */
export function sweepFigure(points: readonly SweepPoint[], axis: SweepAxis): TopLevelSpec {
  const values = points.flatMap((p) =>
    p.axis === axis && 'maxAbsError' in p && p.maxAbsError > 0
      ? [{ x: p.value, error: p.maxAbsError, toBound: p.errorToBound, backend: p.backend, operation: p.operation }]
      : [],
  );
  return {
    $schema: SCHEMA,
    background: 'white',
    title: `Max absolute error against the float64 reference by ${SWEEP_AXES[axis].title}`,
    data: { values },
    facet: { field: 'operation', type: 'nominal', title: null, sort: null },
    columns: 4,
    spec: {
      width: 190,
      height: 140,
      layer: [{ mark: { type: 'line', point: true, opacity: 0.8 } }],
      encoding: {
        x: { field: 'x', type: 'quantitative', title: SWEEP_AXES[axis].title, scale: { type: 'log' }, axis: X_AXIS },
        y: { field: 'error', type: 'quantitative', title: 'max |error|', scale: { type: 'log' }, axis: Y_AXIS },
        color: { field: 'backend', type: 'nominal', title: 'backend' },
        strokeDash: { field: 'backend', type: 'nominal', title: 'backend' },
      },
    },
    resolve: { scale: { y: 'independent' } },
  } as TopLevelSpec;
}

/** Per swept axis, a markdown table: a row per operation and backend, a column per value, "max abs (error / bound)". */
export function sweepTables(points: readonly SweepPoint[]): { title: string; table: string }[] {
  const axes = [...new Set(points.map((p) => p.axis))];
  return axes.map((axis) => {
    const mine = points.filter((p) => p.axis === axis);
    const xs = [...new Set(mine.map((p) => p.value))];
    const rows = [...new Set(mine.map((p) => `${p.operation}\u0000${p.backend}`))].map((key) => {
      const [operation, backend] = key.split('\u0000');
      const cells = xs.map((x) => {
        const p = mine.find((q) => q.value === x && q.operation === operation && q.backend === backend);
        if (!p) return '';
        if ('unsupported' in p) return '-';
        if ('ownNoise' in p) return `n/a (KS p = ${p.ownNoise.pValue.toPrecision(2)})`;
        return `${exponential(p.maxAbsError)} (${boundText(p.errorToBound)})`;
      });
      return `| ${operation} | ${backend} | ${cells.join(' | ')} |`;
    });
    const header = [`| operation | backend | ${xs.join(' | ')} |`, `| --- | --- |${xs.map(() => ' --- |').join('')}`];
    const title = `Sweep of ${SWEEP_AXES[axis].title}: max abs error (error / bound)`;
    return { title, table: [...header, ...rows].join('\n') };
  });
}

/** The sweeps' tables as markdown, one after the other. */
export const sweepMarkdown = (points: readonly SweepPoint[]) =>
  sweepTables(points)
    .map(({ title, table }) => `${title}\n\n${table}`)
    .join('\n\n');
