import {
  type BackendInfo,
  backendsNotLoaded,
  type CheckResultRecord,
  type ConformanceReport,
  type Counts,
  countStatuses,
  orderedResults,
  runFailed,
} from './results.js';

/** One table cell: "4 pass, 1 FAIL, 2 skip" (only the non-zero counts; '-' when nothing ran). */
function cellText(counts: Counts): string {
  const parts: string[] = [];
  if (counts.fail) parts.push(`${counts.fail} FAIL`);
  if (counts.xpass) parts.push(`${counts.xpass} xpass`);
  if (counts.pass) parts.push(`${counts.pass} pass`);
  if (counts.xfail) parts.push(`${counts.xfail} xfail`);
  if (counts.skip) parts.push(`${counts.skip} skip`);
  return parts.join(', ') || '-';
}

export interface SummaryTable {
  header: string[];
  rows: string[][];
}

/** A table cell for a backend that could not be loaded. */
const NOT_LOADED_CELL = 'not run: failed to load';

/** The group x backend table: groups with failures first, then a total row; a backend that failed to load, a column. */
export function summaryTable(report: ConformanceReport): SummaryTable {
  const backends = [...new Set(report.results.map((r) => r.backend))];
  const groups = [...new Set(report.results.map((r) => r.group))];
  const of = (group: string | undefined, backend: string) =>
    report.results.filter((r) => r.backend === backend && (group === undefined || r.group === group));
  const failing = (group: string) => report.results.some((r) => r.group === group && r.status === 'fail');
  const order = report.run.groups ?? [];
  const rank = (g: string) => (order.includes(g) ? order.indexOf(g) : order.length);
  groups.sort((a, b) => Number(failing(b)) - Number(failing(a)) || rank(a) - rank(b) || a.localeCompare(b));
  const notLoaded = backendsNotLoaded(report).map((b) => b.name);
  const cells = (group: string | undefined) => backends.map((b) => cellText(countStatuses(of(group, b))));
  const rows = groups.map((g) => [g, ...cells(g), ...notLoaded.map(() => '')]);
  rows.push(['total', ...cells(undefined), ...notLoaded.map(() => NOT_LOADED_CELL)]);
  return { header: ['spec group', ...backends, ...notLoaded], rows };
}

/** The table as aligned plain text, for a terminal. */
export function textTable({ header, rows }: SummaryTable): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i]))
      .join('  ')
      .trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

const markdownCell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

function markdownTable({ header, rows }: SummaryTable): string {
  return [header, header.map(() => '---'), ...rows].map((r) => `| ${r.map(markdownCell).join(' | ')} |`).join('\n');
}

const firstLine = (s: string | undefined) => (s ?? '').split('\n')[0];

function listOf(title: string, results: CheckResultRecord[], line: (r: CheckResultRecord) => string[]): string[] {
  if (results.length === 0) return [];
  return [`## ${title} (${results.length})`, '', ...results.flatMap((r) => line(r)), ''];
}

/** A one-line verdict: "PASSED: 12 pass, 3 skip" or "FAILED: 2 FAIL, ...". */
export function verdict(report: ConformanceReport): string {
  const counts = cellText(countStatuses(report.results));
  const errors = report.errors.length
    ? `, ${report.errors.length} run error${report.errors.length > 1 ? 's' : ''}`
    : '';
  const notLoaded = backendsNotLoaded(report).length;
  const unloaded = notLoaded ? `, ${notLoaded} backend${notLoaded > 1 ? 's' : ''} failed to load` : '';
  return `${runFailed(report) ? 'FAILED' : 'PASSED'}: ${counts}${errors}${unloaded}`;
}

/** The convention profile of each backend that declares one (docs/conventions.md), where any does. */
function profileLines(backends: readonly BackendInfo[]): string[] {
  const declared = backends.filter((b) => b.metadata?.profile !== undefined);
  if (declared.length === 0) return [];
  return [`Convention profiles: ${declared.map((b) => `${b.name} follows ${b.metadata!.profile}`).join(' · ')}`, ''];
}

/** summary.md: fit for a pull-request comment or a CI job summary; failures first. */
export function summaryMarkdown(report: ConformanceReport): string {
  const { run } = report;
  const ordered = orderedResults(report.results);
  const lines = [
    `# diffspec conformance: ${verdict(report)}`,
    '',
    `Suite seed ${run.suiteSeed} · diffspec ${run.versions.diffspec} · Node ${run.versions.node} · vitest ${run.versions.vitest} · ${run.startedAt} · ${(run.durationMs / 1000).toFixed(1)} s${run.filter ? ` · filter \`${run.filter}\`` : ''}${run.modelOnnx ? ` · ONNX denoiser \`${run.modelOnnx}\`` : ''}`,
    '',
    markdownTable(summaryTable(report)),
    '',
    ...profileLines(run.backends),
    ...(report.errors.length ? ['## Run errors', '', ...report.errors.map((e) => `- ${firstLine(e)}`), ''] : []),
    ...listOf(
      'Failures',
      ordered.filter((r) => r.status === 'fail'),
      (r) => [`- **${r.backend}** ${r.group} > ${r.check}: ${firstLine(r.message)}`, `  - replay: \`${r.replay}\``],
    ),
    ...listOf(
      'Expected failures that now pass',
      ordered.filter((r) => r.status === 'xpass'),
      (r) => [`- **${r.backend}** ${r.group} > ${r.check}: ${r.expectation?.reason ?? ''} (remove the xfail entry)`],
    ),
    ...listOf(
      'Expected failures',
      ordered.filter((r) => r.status === 'xfail'),
      (r) => [`- **${r.backend}** ${r.group} > ${r.check}: ${r.expectation?.reason ?? ''}`],
    ),
  ];
  const unavailable = run.backends.filter((b) => b.unavailable);
  if (unavailable.length)
    lines.push('## Backends that did not run', '', ...unavailable.map((b) => `- **${b.name}**: ${b.unavailable}`), '');
  return `${lines.join('\n').trimEnd()}\n`;
}

/** The failures (with their replay commands) and run errors of a report, as the terminal shows them after the table. */
export function failureText(report: ConformanceReport): string {
  const failures = report.results
    .filter((r) => r.status === 'fail')
    .map((r) => {
      const message = (r.message ?? '').split('\n').join('\n  ');
      return `\nFAIL ${r.backend} ${r.group} > ${r.check}\n  ${message}\n  replay: ${r.replay}\n`;
    });
  return [...failures, ...report.errors.map((e) => `\nrun error: ${e}\n`)].join('');
}
