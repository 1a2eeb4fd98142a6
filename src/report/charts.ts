import type { TopLevelSpec } from 'vega-lite';
import type { CheckResultRecord } from './results.js';

/** A chart for the HTML report: a title, a caption saying how to read it, and its vega-lite spec. */
export interface ChartSpec {
  id: string;
  title: string;
  caption: string;
  spec: TopLevelSpec;
}

const SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';
/** Errors of exactly 0 cannot sit on a log axis; they are drawn at this floor (and said so in the caption). */
const LOG_FLOOR = 1e-18;
const LABEL_LENGTH = 70;

const shorten = (s: string) => (s.length > LABEL_LENGTH ? s.slice(0, LABEL_LENGTH - 1) + '…' : s);
const checkLabel = (r: CheckResultRecord) => shorten(`${r.group} > ${r.check}`);

const PALETTE = ['#4c78a8', '#f58518', '#54a24b', '#e45756', '#72b7b2', '#b279a2', '#eeca3b', '#9d755d', '#ff9da6', '#bab0ac'];

/** The colour encoding of the backends present in some rows. */
type Colour = (rows: readonly { backend: string }[]) => { field: 'backend'; type: 'nominal'; title: string; scale: { domain: string[]; range: string[] } };

/** Backend colours by position in `order`, so one backend has one colour in every chart of a report. */
export function backendColour(order: readonly string[]): Colour {
  return (rows) => {
    const present = order.filter((b) => rows.some((r) => r.backend === b));
    return { field: 'backend', type: 'nominal', title: 'backend', scale: { domain: present, range: present.map((b) => PALETTE[order.indexOf(b) % PALETTE.length]) } };
  };
}

function barsPerCheck(rows: { label: string; backend: string; value: number }[], axisTitle: string, colour: Colour): TopLevelSpec {
  return {
    $schema: SCHEMA,
    width: 420,
    data: { values: rows },
    mark: { type: 'bar' },
    encoding: {
      y: { field: 'label', type: 'nominal', title: null, sort: null, axis: { labelLimit: 420 } },
      yOffset: { field: 'backend', type: 'nominal' },
      // A log axis has no zero: bars start at the floor.
      x: { field: 'value', type: 'quantitative', title: axisTitle, scale: { type: 'log', domainMin: LOG_FLOOR } },
      x2: { datum: LOG_FLOOR },
      color: colour(rows),
    },
  };
}

/** Max absolute and relative error against the float64 reference, per check (operation) and backend. */
export function accuracyCharts(results: readonly CheckResultRecord[], colour: Colour): ChartSpec[] {
  const measured = results.filter((r) => r.error);
  if (measured.length === 0) return [];
  const rows = (pick: (r: CheckResultRecord) => number) => measured.map((r) => ({ label: checkLabel(r), backend: r.backend, value: Math.max(pick(r), LOG_FLOOR) }));
  const floorNote = `Errors of exactly 0 are drawn at ${LOG_FLOOR}.`;
  return [
    {
      id: 'accuracy-abs',
      title: 'Max absolute error against the float64 reference',
      caption: `Worst |backend - reference| over every value a check compared (log scale). ${floorNote}`,
      spec: barsPerCheck(rows((r) => r.error!.maxAbsError), 'max |error|', colour),
    },
    {
      id: 'accuracy-rel',
      title: 'Max relative error against the float64 reference',
      caption: `Worst |backend - reference| / |reference| (log scale), over values the reference kept through cancellation (|reference| >= sqrt(u_float64) x its running magnitude). ${floorNote}`,
      spec: barsPerCheck(rows((r) => r.error!.maxRelError), 'max relative error', colour),
    },
    {
      id: 'accuracy-bound',
      title: 'Worst error as a fraction of its bound',
      caption: 'Each check allows k roundings x (u_backend + u_float64) x the running magnitude; above 1 (the red line) fails.',
      spec: {
        $schema: SCHEMA,
        width: 420,
        layer: [
          { ...barsPerCheck(rows((r) => r.error!.worstErrorToBound), 'worst error / bound', colour), $schema: undefined },
          { data: { values: [{ one: 1 }] }, mark: { type: 'rule', color: '#d62728', strokeWidth: 2 }, encoding: { x: { field: 'one', type: 'quantitative' } } },
        ],
      } as TopLevelSpec,
    },
  ];
}

/** Statistical checks: each test's p-value against its alpha (a test rejects when p < alpha). */
export function statisticsChart(results: readonly CheckResultRecord[], colour: Colour): ChartSpec[] {
  const rows = results.flatMap((r) =>
    r.records.flatMap((x) => (x.kind === 'statistic' ? [{ label: shorten(`${r.group}: ${x.test}`), backend: r.backend, p: Math.max(x.pValue, 1e-300), alpha: x.alpha }] : [])),
  );
  if (rows.length === 0) return [];
  return [
    {
      id: 'statistics',
      title: 'Statistical checks: p-values against their thresholds',
      caption: 'Points: p-value per test and backend (log scale). Red ticks: the test\'s alpha (its share of the suite\'s false-alarm budget); a point left of its tick is a rejection.',
      spec: {
        $schema: SCHEMA,
        width: 420,
        data: { values: rows },
        encoding: { y: { field: 'label', type: 'nominal', title: null, sort: null, axis: { labelLimit: 420 } } },
        layer: [
          { mark: { type: 'tick', color: '#d62728', thickness: 2 }, encoding: { x: { field: 'alpha', type: 'quantitative', scale: { type: 'log' }, title: 'p-value' } } },
          { mark: { type: 'point', filled: true, size: 60 }, encoding: { x: { field: 'p', type: 'quantitative' }, color: colour(rows) } },
        ],
      },
    },
  ];
}

/** Samples of 2-D models against their data, one scatter per (backend, figure). */
export function samplesCharts(results: readonly CheckResultRecord[]): ChartSpec[] {
  return results.flatMap((r) =>
    r.records.flatMap((x, i) => {
      if (x.kind !== 'samples2d') return [];
      const values = [...x.data.map(([a, b]) => ({ x: a, y: b, source: 'data' })), ...x.samples.map(([a, b]) => ({ x: a, y: b, source: 'samples' }))];
      return [
        {
          id: `samples-${r.backend}-${r.group}-${i}`,
          title: `${r.backend}: ${x.what}`,
          caption: `${r.group} > ${r.check}: model samples (orange) against the data (blue).`,
          spec: {
            $schema: SCHEMA,
            width: 260,
            height: 260,
            data: { values },
            mark: { type: 'circle', size: 10, opacity: 0.6 },
            encoding: {
              x: { field: 'x', type: 'quantitative' },
              y: { field: 'y', type: 'quantitative' },
              color: { field: 'source', type: 'nominal', scale: { domain: ['data', 'samples'], range: ['#1f77b4', '#ff7f0e'] } },
            },
          } as TopLevelSpec,
        },
      ];
    }),
  );
}

/** Curves (training loss by step), one line chart per figure name with a line per backend. */
export function curveCharts(results: readonly CheckResultRecord[], colour: Colour): ChartSpec[] {
  const byWhat = new Map<string, { xLabel: string; yLabel: string; rows: { x: number; y: number; backend: string }[] }>();
  for (const r of results) {
    for (const x of r.records) {
      if (x.kind !== 'curve') continue;
      const entry = byWhat.get(x.what) ?? { xLabel: x.xLabel, yLabel: x.yLabel, rows: [] };
      entry.rows.push(...x.points.map(([a, b]) => ({ x: a, y: b, backend: r.backend })));
      byWhat.set(x.what, entry);
    }
  }
  return [...byWhat].map(([what, { xLabel, yLabel, rows }], i) => ({
    id: `curve-${i}`,
    title: what,
    caption: `${yLabel} by ${xLabel}, one line per backend.`,
    spec: {
      $schema: SCHEMA,
      width: 420,
      height: 220,
      data: { values: rows },
      mark: { type: 'line' },
      encoding: { x: { field: 'x', type: 'quantitative', title: xLabel }, y: { field: 'y', type: 'quantitative', title: yLabel }, color: colour(rows) },
    },
  }));
}

/** Every chart the report draws for these results, in page order. */
export function reportCharts(results: readonly CheckResultRecord[]): ChartSpec[] {
  const colour = backendColour([...new Set(results.map((r) => r.backend))]);
  return [...accuracyCharts(results, colour), ...statisticsChart(results, colour), ...samplesCharts(results), ...curveCharts(results, colour)];
}
