import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DiffspecInputError } from '../errors.js';
import type { BackendInfo, CheckResultRecord, ConformanceReport } from './results.js';

/** Reads DIR/results.json of a conformance run (a shard's report folder). */
export async function readReport(dir: string): Promise<ConformanceReport> {
  const file = join(dir, 'results.json');
  let report: unknown;
  try {
    report = JSON.parse(await readFile(file, 'utf8'));
  } catch (e) {
    throw new DiffspecInputError(file, `cannot be read: ${e instanceof Error ? e.message : String(e)}`);
  }
  const r = report as Partial<ConformanceReport>;
  if (!r?.run || !Array.isArray(r.results) || !Array.isArray(r.errors)) {
    throw new DiffspecInputError(file, 'is not the results.json of a conformance run ({run, results, errors})');
  }
  return report as ConformanceReport;
}

/**
 * One report from the reports of a run's shards (`diffspec conformance --shard i/n`): the union of their checks, in
 * the order of the groups and backends they list, so the counts equal those of the unsharded run. Shards must share
 * the suite seed, the filter and the ONNX denoiser, and no check may appear in two of them. `replayed`: the same checks'
 * records replayed from the shards' vitest blob reports (src/report/blobs.ts), which then stand for those of
 * results.json.
 */
export function mergeReports(
  parts: readonly { dir: string; report: ConformanceReport }[],
  replayed?: readonly CheckResultRecord[],
): ConformanceReport {
  const [first] = parts;
  if (!first) throw new DiffspecInputError('--merge', 'needs at least one report folder');
  for (const { dir, report } of parts) {
    if (report.run.suiteSeed !== first.report.run.suiteSeed) {
      throw new DiffspecInputError(
        dir,
        `ran with suite seed ${report.run.suiteSeed}, ${first.dir} with ${first.report.run.suiteSeed}`,
      );
    }
    if (report.run.filter !== first.report.run.filter)
      throw new DiffspecInputError(dir, `ran with another --filter than ${first.dir}`);
    if (report.run.modelOnnx !== first.report.run.modelOnnx)
      throw new DiffspecInputError(dir, `ran with another --model-onnx than ${first.dir}`);
  }
  const seen = new Map<string, string>();
  for (const { dir, report } of parts) {
    for (const r of report.results) {
      const id = `${r.backend} ${r.group} > ${r.check}`;
      if (seen.has(id))
        throw new DiffspecInputError(dir, `holds "${id}", which ${seen.get(id)} holds too: the shards overlap`);
      seen.set(id, dir);
    }
  }
  const groups = [...new Set(parts.flatMap(({ report }) => report.run.groups ?? []))];
  const backends = new Map<string, BackendInfo>();
  for (const { report } of parts) {
    for (const b of report.run.backends) backends.set(b.name, { ...backends.get(b.name), ...b });
  }
  const backendOrder = [...backends.keys()];
  const rank = (list: readonly string[], value: string) => (list.includes(value) ? list.indexOf(value) : list.length);
  const recorded = parts.flatMap(({ report }) => report.results);
  const idOf = (r: CheckResultRecord) => `${r.backend} ${r.group} > ${r.check}: ${r.status}`;
  if (replayed && JSON.stringify(replayed.map(idOf).sort()) !== JSON.stringify(recorded.map(idOf).sort())) {
    throw new DiffspecInputError('--merge', "the shards' blob reports and their results.json hold different checks");
  }
  const results = [...(replayed ?? recorded)].sort(
    (a, b) =>
      rank(groups, a.group) - rank(groups, b.group) || rank(backendOrder, a.backend) - rank(backendOrder, b.backend),
  );
  const starts = parts.map(({ report }) => Date.parse(report.run.startedAt));
  const ends = parts.map(({ report }, i) => starts[i] + report.run.durationMs);
  const { shard: _shard, ...run } = first.report.run;
  return {
    run: {
      ...run,
      startedAt: new Date(Math.min(...starts)).toISOString(),
      durationMs: Math.max(...ends) - Math.min(...starts),
      groups,
      backends: [...backends.values()],
      mergedFrom: parts.map(({ report, dir }) => report.run.shard ?? dir),
    },
    results,
    errors: parts.flatMap(({ report }) => report.errors),
  };
}
