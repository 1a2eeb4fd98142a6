// The report folder of `diffspec compare`, in the form of conformance's (src/report): a self-contained index.html
// (no scripts) with the operation x backend heatmap of error / bound and the sweeps' figures, summary.md for a
// pull-request comment or a CI job summary, and the measurements as JSON. Every write is atomic.
import { join } from 'node:path';
import { vegaLiteSvg } from '../figures/vega.js';
import { writeFileAtomic } from '../files.js';
import { boundHeatmap, boundText, type ChartSpec } from '../report/charts.js';
import { escapeHtml, type Figure, figureHtml, REPORT_STYLE } from '../report/html.js';
import { type CompareCell, compareMarkdown } from './compare.js';
import type { CompareInputs } from './operations.js';
import { SWEEP_AXES } from './setting.js';
import { type SweepPoint, sweepFigure, sweepMarkdown, sweepTables } from './sweep.js';

export interface CompareReport {
  startedAt: string;
  durationMs: number;
  versions: { diffspec: string; node: string };
  inputs: CompareInputs;
  repeats: number;
  backends: { name: string; precision: string; metadata?: Readonly<Record<string, string>> }[];
  /** Backends asked for that could not run, with the reason. */
  leftOut: { name: string; reason: string }[];
  cells: CompareCell[];
  sweeps: SweepPoint[];
}

/** The heatmap of operation x backend, coloured by error / bound, the ratio (or why none) in each cell. */
function compareHeatmap(cells: readonly CompareCell[]): ChartSpec {
  const heat = cells.map((c) => {
    const at = { row: c.operation, backend: c.backend };
    if ('unsupported' in c) return { ...at, text: c.unsupported.startsWith('lacks') ? c.unsupported : 'failed' };
    if ('ownNoise' in c) return { ...at, text: `own noise, KS p ${c.ownNoise.pValue.toPrecision(2)}` };
    return { ...at, toBound: c.errorToBound, text: boundText(c.errorToBound) };
  });
  return {
    id: 'compare-heatmap',
    title: 'Worst error as a fraction of its bound, per operation and backend',
    caption:
      'Each cell: the worst |backend - float64 reference| over the bound k (u_backend + u_float64) x the running ' +
      'magnitude of the values combined (src/speckit/tolerance.ts), on identical inputs; loops that draw noise are ' +
      'compared on the noise the backend drew. Near 1: look closer; above 1 (red): broken. Grey: not measured.',
    spec: boundHeatmap(heat),
  };
}

/** The sweeps' figures, one per swept axis. */
function sweepCharts(points: readonly SweepPoint[]): ChartSpec[] {
  const axes = [...new Set(points.map((p) => p.axis))];
  return axes.map((axis) => ({
    id: `sweep-${axis}`,
    title: `Error growth with ${SWEEP_AXES[axis].title}`,
    caption:
      `Max absolute error against the float64 reference by ${SWEEP_AXES[axis].title} (log-log), the other settings ` +
      'at their defaults; one panel per operation, a line per backend (backends with equal errors draw on top of ' +
      'each other: the table below gives every value). Errors of exactly 0 are left out.',
    spec: sweepFigure(points, axis),
  }));
}

const markdownToHtmlTable = (markdown: string) => {
  const lines = markdown.split('\n').filter((l) => l.startsWith('| ') && !l.startsWith('| ---'));
  const cells = (l: string) => l.slice(2, -2).split(' | ');
  const [header, ...rows] = lines;
  const td = (c: string) => `<td>${escapeHtml(c.replace(/\\\|/g, '|')).replace(/\*\*(.+?)\*\*/g, '<b>$1</b>')}</td>`;
  return `<table><tr>${cells(header)
    .map((h) => `<th>${escapeHtml(h)}</th>`)
    .join('')}</tr>${rows.map((r) => `<tr>${cells(r).map(td).join('')}</tr>`).join('')}</table>`;
};

/** index.html: self-contained (no scripts, no external files). */
function compareHtml(report: CompareReport, figures: readonly Figure[]): string {
  const table = compareMarkdown(report.cells, report.inputs, report.repeats);
  const [setting, , ...rest] = table.split('\n');
  const footnote = rest.filter((l) => l.startsWith('†')).join(' ');
  const leftOut = report.leftOut.length
    ? `<p>Left out: ${report.leftOut.map((b) => `${escapeHtml(b.name)} (${escapeHtml(b.reason)})`).join('; ')}</p>`
    : '';
  const sweeps = report.sweeps.length
    ? `<h2>Sweeps</h2>${sweepTables(report.sweeps)
        .map(({ title, table }) => `<h3>${escapeHtml(title)}</h3>${markdownToHtmlTable(table)}`)
        .join('\n')}`
    : '';
  const backends = report.backends.map((b) => `${escapeHtml(b.name)} (${escapeHtml(b.precision)})`).join(', ');
  const { versions, startedAt, durationMs } = report;
  const seconds = (durationMs / 1000).toFixed(1);
  const run = `diffspec ${versions.diffspec} · Node ${versions.node} · ${startedAt} · ${seconds} s`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>diffspec compare</title><style>${REPORT_STYLE}</style></head>
<body>
<h1>diffspec compare: ${backends}</h1>
<p>${escapeHtml(run)}</p>
${leftOut}
<p>${escapeHtml(setting)}</p>
<h2>Figures</h2>
${figures.map((f) => figureHtml(f, 'chart')).join('\n')}
<h2>Every operation</h2>
${markdownToHtmlTable(table)}
<p>${escapeHtml(footnote)}</p>
${sweeps}
</body></html>
`;
}

/** summary.md: the table and the sweeps' tables, fit for a pull-request comment. */
function compareSummary(report: CompareReport): string {
  const title = `# diffspec compare: ${report.backends.map((b) => b.name).join(', ')}`;
  const parts = [title, '', compareMarkdown(report.cells, report.inputs, report.repeats)];
  const leftOut = report.leftOut.map((b) => `${b.name} (${b.reason})`);
  if (leftOut.length) parts.push('', `Left out: ${leftOut.join('; ')}`);
  if (report.sweeps.length) parts.push('', '## Sweeps', '', sweepMarkdown(report.sweeps));
  return `${parts.join('\n')}\n`;
}

/**
 * Writes index.html, summary.md, compare.json (settings, cells and sweep points) and, for each swept axis, its figure
 * as a vega-lite spec and as SVG (sweep-AXIS.vl.json, sweep-AXIS.svg); each atomically.
 */
export async function writeCompareReport(dir: string, report: CompareReport): Promise<void> {
  const charts = [...(report.cells.length ? [compareHeatmap(report.cells)] : []), ...sweepCharts(report.sweeps)];
  const figures = await Promise.all(charts.map(async (c) => ({ ...c, svg: await vegaLiteSvg(c.spec) })));
  const { x0: _x0, noise: _noise, modelOutput: _out, ...inputs } = report.inputs;
  await writeFileAtomic(join(dir, 'compare.json'), `${JSON.stringify({ ...report, inputs }, null, 2)}\n`);
  for (const f of figures.filter((x) => x.id.startsWith('sweep-'))) {
    await writeFileAtomic(join(dir, `${f.id}.vl.json`), `${JSON.stringify(f.spec, null, 2)}\n`);
    await writeFileAtomic(join(dir, `${f.id}.svg`), f.svg);
  }
  await writeFileAtomic(join(dir, 'summary.md'), compareSummary(report));
  await writeFileAtomic(join(dir, 'index.html'), compareHtml(report, figures));
}
