import { join } from 'node:path';
import { writeFileAtomic } from '../files.js';
import type { Figure } from './html.js';
import { junitXml } from './junit.js';
import type { ConformanceReport } from './results.js';
import { summaryMarkdown } from './summary.js';
import { appendTrend } from './trend.js';

/** The files of a report folder, as the README describes them. */
export const REPORT_FILES = ['results.json', 'junit.xml', 'summary.md', 'index.html', 'trend.json'] as const;

/**
 * Writes results.json, junit.xml, summary.md, index.html (with the
 * given forward strips) and appends to trend.json, each atomically.
 */
export async function writeReport(dir: string, report: ConformanceReport, strips: readonly Figure[]): Promise<void> {
  const { renderCharts, reportHtml } = await import('./html.js');
  await writeFileAtomic(join(dir, 'results.json'), `${JSON.stringify(report, null, 2)}\n`);
  await writeFileAtomic(join(dir, 'junit.xml'), junitXml(report));
  await writeFileAtomic(join(dir, 'summary.md'), summaryMarkdown(report));
  await writeFileAtomic(join(dir, 'index.html'), reportHtml(report, await renderCharts(report), strips));
  await appendTrend(join(dir, 'trend.json'), report);
}
