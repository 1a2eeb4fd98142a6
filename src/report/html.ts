import { vegaLiteSvg } from '../figures/vega.js';
import { reportCharts } from './charts.js';
import { type ConformanceReport, orderedResults } from './results.js';
import { summaryTable, verdict } from './summary.js';

/** A rendered figure: an SVG from vega, or a note saying why there is none. */
export interface Figure {
  id: string;
  title: string;
  caption: string;
  svg?: string;
  note?: string;
}

export const escapeHtml = (s: string) =>
  s.replace(/[<>&"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;' })[c]!);

const formatError = (v: number | undefined) => (v === undefined ? '' : v === 0 ? '0' : v.toExponential(2));

/** The style of every report page (conformance, compare). */
export const REPORT_STYLE = `
body { font: 14px/1.45 system-ui, sans-serif; margin: 2em auto; max-width: 1200px; padding: 0 1em; color: #222; }
h1 { font-size: 1.5em; } h2 { margin-top: 2em; border-bottom: 1px solid #ddd; }
table { border-collapse: collapse; margin: 1em 0; } th, td { border: 1px solid #ddd; padding: 4px 8px; text-align: left; vertical-align: top; }
th { background: #f4f4f4; } td.num { text-align: right; font-variant-numeric: tabular-nums; }
.fail { background: #fde2e2; } .xpass { background: #f3e2fd; } .xfail { background: #fff4d6; } .skip { color: #777; }
figure { margin: 1.5em 0; } td.check { min-width: 22em; } td.message { white-space: pre-wrap; overflow-wrap: anywhere; max-width: 48em; } figcaption { color: #555; max-width: 60em; } code { font-size: 12px; word-break: break-all; }
.verdict-FAILED { color: #b00020; } .verdict-PASSED { color: #1b7f3b; }`;

/** Renders every figure the report shows: the charts of the results plus the given extra figures (forward strips). */
export async function renderCharts(report: ConformanceReport): Promise<Figure[]> {
  return Promise.all(
    reportCharts(report.results).map(async (c) => ({
      id: c.id,
      title: c.title,
      caption: c.caption,
      svg: await vegaLiteSvg(c.spec),
    })),
  );
}

export function figureHtml(f: Figure, cls: string): string {
  const body = f.svg ?? `<p class="skip">${escapeHtml(f.note ?? '')}</p>`;
  return `<figure class="${cls}" data-figure="${escapeHtml(f.id)}"><h3>${escapeHtml(f.title)}</h3>${body}<figcaption>${escapeHtml(f.caption)}</figcaption></figure>`;
}

/** index.html: a self-contained page (no scripts, no external files) with the tables and the figures. */
export function reportHtml(report: ConformanceReport, charts: readonly Figure[], strips: readonly Figure[]): string {
  const { run } = report;
  const table = summaryTable(report);
  const v = verdict(report);
  const summary = `<table><tr>${table.header.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr>${table.rows
    .map(
      (r) =>
        `<tr>${r.map((c, i) => `<td class="${i > 0 && c.includes('FAIL') ? 'fail' : ''}">${escapeHtml(c)}</td>`).join('')}</tr>`,
    )
    .join('')}</table>`;
  const backends = `<table><tr><th>backend</th><th>precision</th><th>details</th></tr>${run.backends
    .map(
      (b) =>
        `<tr><td>${escapeHtml(b.name)}</td><td>${escapeHtml(b.precision ?? '')}</td><td>${escapeHtml(
          b.unavailable
            ? `did not run: ${b.unavailable}`
            : Object.entries(b.metadata ?? {})
                .map(([k, x]) => `${k}: ${x}`)
                .join(', '),
        )}</td></tr>`,
    )
    .join('')}</table>`;
  const rows = orderedResults(report.results)
    .map(
      (r) =>
        `<tr class="${r.status}"><td>${r.status}</td><td>${escapeHtml(r.backend)}</td><td class="check">${escapeHtml(`${r.group} > ${r.check}`)}</td><td class="num">${r.timeMs.toFixed(0)}</td>` +
        `<td class="num">${formatError(r.error?.maxAbsError)}</td><td class="num">${formatError(r.error?.maxRelError)}</td><td class="num">${r.error ? r.error.worstErrorToBound.toFixed(3) : ''}</td><td class="num">${r.seed}</td>` +
        `<td class="message">${escapeHtml(r.message ?? r.expectation?.reason ?? '')}${r.replay ? `<br><code>${escapeHtml(r.replay)}</code>` : ''}</td></tr>`,
    )
    .join('');
  const statistics = orderedResults(report.results).flatMap((r) =>
    r.records.flatMap((x) => (x.kind === 'statistic' ? [{ r, x }] : [])),
  );
  const statisticsTable = statistics.length
    ? `<h2>Statistical tests</h2><table><tr><th>backend</th><th>group</th><th>test</th><th>n</th><th>p-value</th><th>alpha</th><th>detects (90% power)</th><th>seed</th></tr>${statistics
        .map(
          ({ r, x }) =>
            `<tr class="${x.pValue < x.alpha ? 'fail' : ''}"><td>${escapeHtml(r.backend)}</td><td>${escapeHtml(r.group)}</td><td>${escapeHtml(x.test)}</td><td class="num">${x.n}</td><td class="num">${x.pValue.toPrecision(3)}</td><td class="num">${x.alpha.toExponential(2)}</td><td>${escapeHtml(x.detects)}</td><td class="num">${x.seed}</td></tr>`,
        )
        .join('')}</table>`
    : '';
  const errors = report.errors.length
    ? `<h2>Run errors</h2><ul>${report.errors.map((e) => `<li><pre>${escapeHtml(e)}</pre></li>`).join('')}</ul>`
    : '';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>diffspec conformance: ${escapeHtml(v)}</title><style>${REPORT_STYLE}</style></head>
<body>
<h1>diffspec conformance: <span class="verdict-${v.split(':')[0]}">${escapeHtml(v)}</span></h1>
<p>Suite seed ${run.suiteSeed} · diffspec ${escapeHtml(run.versions.diffspec)} · Node ${escapeHtml(run.versions.node)} · vitest ${escapeHtml(run.versions.vitest)} · ${escapeHtml(run.startedAt)} · ${(run.durationMs / 1000).toFixed(1)} s${run.filter ? ` · filter <code>${escapeHtml(run.filter)}</code>` : ''}${run.modelOnnx ? ` · ONNX denoiser <code>${escapeHtml(run.modelOnnx)}</code>` : ''}</p>
<h2>Summary</h2>${summary}${errors}
<h2>Backends</h2>${backends}
<h2>Figures</h2>
${charts.map((f) => figureHtml(f, 'chart')).join('\n')}
<h2>The seed's forward diffusion</h2>
${strips.map((f) => figureHtml(f, 'strip')).join('\n')}
${statisticsTable}
<h2>Every check</h2>
<table><tr><th>status</th><th>backend</th><th>check</th><th>ms</th><th>max abs error</th><th>max rel error</th><th>error / bound</th><th>seed</th><th>message / replay</th></tr>${rows}</table>
</body></html>
`;
}
