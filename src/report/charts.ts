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
const LABEL_LENGTH = 70;

const shorten = (s: string) => (s.length > LABEL_LENGTH ? `${s.slice(0, LABEL_LENGTH - 1)}…` : s);
const checkLabel = (r: CheckResultRecord) => shorten(`${r.group} > ${r.check}`);

const PALETTE = [
  '#4c78a8',
  '#f58518',
  '#54a24b',
  '#e45756',
  '#72b7b2',
  '#b279a2',
  '#eeca3b',
  '#9d755d',
  '#ff9da6',
  '#bab0ac',
];

/** The colour encoding of the backends present in some rows. */
type Colour = (rows: readonly { backend: string }[]) => {
  field: 'backend';
  type: 'nominal';
  title: string;
  scale: { domain: string[]; range: string[] };
};

/** Backend colours by position in `order`, so one backend has one colour in every chart of a report. */
function backendColour(order: readonly string[]): Colour {
  return (rows) => {
    const present = order.filter((b) => rows.some((r) => r.backend === b));
    return {
      field: 'backend',
      type: 'nominal',
      title: 'backend',
      scale: { domain: present, range: present.map((b) => PALETTE[order.indexOf(b) % PALETTE.length]) },
    };
  };
}

/** One cell of an error heatmap: a row (a check or an operation), a backend, error / bound where measured, its text. */
export interface BoundCell {
  row: string;
  backend: string;
  /** Worst |error| / bound (src/speckit/tolerance.ts); undefined where nothing was measured (skipped, own noise). */
  toBound?: number;
  /** What the cell says: the ratio, or why there is none. */
  text: string;
}

/** The colour bands of error / bound, light to dark: near 1 is the place to look, above 1 fails. */
const BOUND_BANDS = [
  { below: 1e-3, label: '< 0.001', colour: '#edf8e9' },
  { below: 1e-2, label: '0.001 - 0.01', colour: '#c7e9c0' },
  { below: 0.1, label: '0.01 - 0.1', colour: '#a1d99b' },
  { below: 0.5, label: '0.1 - 0.5', colour: '#fee391' },
  { below: 1, label: '0.5 - 1', colour: '#fe9929' },
  { below: Infinity, label: '> 1: fails', colour: '#d7301f' },
] as const;
const NOT_MEASURED = { label: 'not measured', colour: '#f0f0f0' };

/** error / bound as a heatmap cell shows it: two significant digits. */
export const boundText = (v: number) => (v === 0 ? '0' : v < 1e-3 || v >= 100 ? v.toExponential(1) : v.toPrecision(2));

/**
 * A heatmap of rows x backends coloured by error / bound, with the value written in each cell: the worst backend or
 * operation shows at a glance, however many checks there are (one line per row, not one bar per backend).
 */
export function boundHeatmap(given: readonly BoundCell[]): TopLevelSpec {
  const rows = [...new Set(given.map((c) => c.row))];
  const backends = [...new Set(given.map((c) => c.backend))];
  const at = (row: string, backend: string) => given.find((c) => c.row === row && c.backend === backend);
  const cells = rows.flatMap((row) => backends.map((backend) => at(row, backend) ?? { row, backend, text: 'not run' }));
  const values = cells.map((c) => {
    const band = c.toBound === undefined ? NOT_MEASURED : BOUND_BANDS.find((b) => c.toBound! < b.below)!;
    return { row: shorten(c.row), backend: c.backend, text: c.text, band: band.label, dark: band.colour === '#d7301f' };
  });
  const bands = [...BOUND_BANDS, NOT_MEASURED];
  return {
    $schema: SCHEMA,
    background: 'white',
    data: { values },
    width: { step: 96 },
    height: { step: 20 },
    encoding: {
      y: { field: 'row', type: 'nominal', title: null, sort: null, axis: { labelLimit: 420 } },
      x: { field: 'backend', type: 'nominal', title: null, sort: null, axis: { orient: 'top', labelAngle: 0 } },
    },
    layer: [
      {
        mark: { type: 'rect', stroke: 'white', strokeWidth: 1 },
        encoding: {
          color: {
            field: 'band',
            type: 'ordinal',
            title: 'error / bound',
            scale: { domain: bands.map((b) => b.label), range: bands.map((b) => b.colour) },
            legend: { orient: 'bottom', direction: 'horizontal', columns: bands.length, symbolType: 'square' },
          },
        },
      },
      {
        mark: { type: 'text', fontSize: 11 },
        encoding: {
          text: { field: 'text' },
          color: { condition: { test: 'datum.dark', value: 'white' }, value: '#222' },
        },
      },
    ],
  } as TopLevelSpec;
}

/** Error against the float64 reference per check and backend, as a fraction of its bound. */
function accuracyCharts(results: readonly CheckResultRecord[]): ChartSpec[] {
  const measuredChecks = new Set(results.filter((r) => r.error).map(checkLabel));
  if (measuredChecks.size === 0) return [];
  const cells = results
    .filter((r) => measuredChecks.has(checkLabel(r)))
    .map((r) => {
      const toBound = r.error?.worstErrorToBound;
      return {
        row: checkLabel(r),
        backend: r.backend,
        toBound,
        text: toBound === undefined ? r.status : boundText(toBound),
      };
    });
  return [
    {
      id: 'accuracy-heatmap',
      title: 'Worst error as a fraction of its bound, per check and backend',
      caption:
        'Each check allows k roundings x (u_backend + u_float64) x the running magnitude of the values combined ' +
        '(src/speckit/tolerance.ts); the cell gives the worst |backend - float64 reference| over that bound. Near 1: ' +
        'look closer; above 1 (red) the check fails. Grey: not measured there (the status says why). Max absolute ' +
        'and relative errors are in the table of every check.',
      spec: boundHeatmap(cells),
    },
  ];
}

/** Statistical checks: each test's p-value against its alpha (a test rejects when p < alpha). */
function statisticsChart(results: readonly CheckResultRecord[], colour: Colour): ChartSpec[] {
  const rows = results.flatMap((r) =>
    r.records.flatMap((x) =>
      x.kind === 'statistic'
        ? [
            {
              label: shorten(`${r.group}: ${x.test}`),
              backend: r.backend,
              p: Math.max(x.pValue, 1e-300),
              alpha: x.alpha,
            },
          ]
        : [],
    ),
  );
  if (rows.length === 0) return [];
  return [
    {
      id: 'statistics',
      title: 'Statistical checks: p-values against their thresholds',
      caption:
        "Points: p-value per test and backend (log scale). Red ticks: the test's alpha (its share of the suite's false-alarm budget); a point left of its tick is a rejection.",
      spec: {
        $schema: SCHEMA,
        width: 420,
        data: { values: rows },
        encoding: { y: { field: 'label', type: 'nominal', title: null, sort: null, axis: { labelLimit: 420 } } },
        layer: [
          {
            mark: { type: 'tick', color: '#d62728', thickness: 2 },
            encoding: { x: { field: 'alpha', type: 'quantitative', scale: { type: 'log' }, title: 'p-value' } },
          },
          {
            mark: { type: 'point', filled: true, size: 60 },
            encoding: { x: { field: 'p', type: 'quantitative' }, color: colour(rows) },
          },
        ],
      },
    },
  ];
}

/** Samples of 2-D models against their data, one scatter per (backend, figure). */
function samplesCharts(results: readonly CheckResultRecord[]): ChartSpec[] {
  return results.flatMap((r) =>
    r.records.flatMap((x, i) => {
      if (x.kind !== 'samples2d') return [];
      const values = [
        ...x.data.map(([a, b]) => ({ x: a, y: b, source: 'data' })),
        ...x.samples.map(([a, b]) => ({ x: a, y: b, source: 'samples' })),
      ];
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
              color: {
                field: 'source',
                type: 'nominal',
                scale: { domain: ['data', 'samples'], range: ['#1f77b4', '#ff7f0e'] },
              },
            },
          } as TopLevelSpec,
        },
      ];
    }),
  );
}

/** Curves (training loss by step), one line chart per figure name with a line per backend. */
function curveCharts(results: readonly CheckResultRecord[], colour: Colour): ChartSpec[] {
  const byWhat = new Map<
    string,
    { xLabel: string; yLabel: string; rows: { x: number; y: number; backend: string }[] }
  >();
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
      encoding: {
        x: { field: 'x', type: 'quantitative', title: xLabel },
        y: { field: 'y', type: 'quantitative', title: yLabel },
        color: colour(rows),
      },
    },
  }));
}

/** Every chart the report draws for these results, in page order. */
export function reportCharts(results: readonly CheckResultRecord[]): ChartSpec[] {
  const colour = backendColour([...new Set(results.map((r) => r.backend))]);
  const statistics = statisticsChart(results, colour);
  return [...accuracyCharts(results), ...statistics, ...samplesCharts(results), ...curveCharts(results, colour)];
}
