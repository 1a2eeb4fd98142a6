import { readFile } from 'node:fs/promises';
import { writeFileAtomic } from '../files.js';
import { type ConformanceReport, type Counts, countStatuses } from './results.js';

/** One run in trend.json, as ONNX's backend scoreboard keeps one row per run. */
export interface TrendEntry {
  date: string;
  suiteSeed: number;
  versions: ConformanceReport['run']['versions'];
  backends: Record<string, Counts & { precision?: string; metadata?: Readonly<Record<string, string>> }>;
}

function trendEntry(report: ConformanceReport): TrendEntry {
  const backends: TrendEntry['backends'] = {};
  for (const b of report.run.backends) {
    backends[b.name] = {
      ...countStatuses(report.results.filter((r) => r.backend === b.name)),
      ...(b.precision ? { precision: b.precision } : {}),
      ...(b.metadata ? { metadata: b.metadata } : {}),
    };
  }
  return { date: report.run.startedAt, suiteSeed: report.run.suiteSeed, versions: report.run.versions, backends };
}

/**
 * Appends this run to trend.json (an array; created when missing).
 * A file that is not an array is an error, never overwritten.
 */
export async function appendTrend(path: string, report: ConformanceReport): Promise<TrendEntry[]> {
  let entries: TrendEntry[] = [];
  try {
    entries = JSON.parse(await readFile(path, 'utf8'));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT')
      throw new Error(`${path} is not readable JSON; move it away to start a new trend: ${(e as Error).message}`);
  }
  if (!Array.isArray(entries))
    throw new Error(`${path} must hold a JSON array of runs; move it away to start a new trend`);
  entries.push(trendEntry(report));
  await writeFileAtomic(path, `${JSON.stringify(entries, null, 2)}\n`);
  return entries;
}
