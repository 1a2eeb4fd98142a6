// Runs every spec group (SPEC_GROUPS) on the given backends and prints, per quantity a check compares with
// its float64 expectation, the worst measured error as a fraction of its bound (1 = at the tolerance, from
// src/speckit/tolerance.ts) and the worst absolute error. Run:
// npx tsx bench/accuracy.ts [--group training] tfjs:wasm tfjs:cpu
import { pathToFileURL } from 'node:url';
import '../backends/index.js';
import { SPEC_GROUPS } from '../spec/groups/index.js';
import { resolveBackend } from '../src/contract/registry.js';
import { runCheck } from '../src/speckit/runner.js';
import { suiteSeedFromEnv } from '../src/speckit/seed.js';

export interface AccuracyRow {
  backend: string;
  group: string;
  /** The quantity, with case labels (" of {...}", parentheses holding numbers, subscript numbers) folded together. */
  what: string;
  roundings: number;
  worstErrorToBound: number;
  maxAbsError: number;
  cases: number;
}

/** Folds "x_37", "alpha-bar of {...}", "embedding (dim 10)" and "(eta = 0.3)" into one quantity each. */
const quantity = (what: string) =>
  what
    .replace(/ of \{.*$/, '')
    .replace(/ \([^)]*\d[^)]*\)/g, '')
    .replace(/_\d+/g, '_t');

/** `groups`: the spec group ids to run (all when absent). */
export async function accuracyReport(
  backendNames: string[],
  groups?: readonly string[],
): Promise<{ rows: AccuracyRow[]; failures: string[] }> {
  const suiteSeed = suiteSeedFromEnv();
  const rows = new Map<string, AccuracyRow>();
  const failures: string[] = [];
  for (const name of backendNames) {
    const resolved = await resolveBackend(name);
    if ('skipped' in resolved) {
      failures.push(`${name}: skipped: ${resolved.skipped}`);
      continue;
    }
    for (const group of SPEC_GROUPS.filter((g) => !groups || groups.includes(g.id))) {
      for (const check of group.checks) {
        const result = await runCheck(group, check, resolved.backend, suiteSeed);
        if (result.status === 'fail') failures.push(`${name} ${group.id} > ${check.name}: ${result.message}`);
        for (const r of result.records) {
          if (r.kind !== 'accuracy') continue;
          const key = `${name}\u0000${group.id}\u0000${quantity(r.what)}`;
          const row = rows.get(key) ?? {
            backend: name,
            group: group.id,
            what: quantity(r.what),
            roundings: r.roundings,
            worstErrorToBound: 0,
            maxAbsError: 0,
            cases: 0,
          };
          row.worstErrorToBound = Math.max(row.worstErrorToBound, r.worstErrorToBound);
          row.maxAbsError = Math.max(row.maxAbsError, r.maxAbsError);
          row.roundings = Math.max(row.roundings, r.roundings);
          row.cases++;
          rows.set(key, row);
        }
      }
    }
  }
  return { rows: [...rows.values()], failures };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const args = process.argv.slice(2);
  const groupAt = args.indexOf('--group');
  const groups = groupAt >= 0 ? args.splice(groupAt, 2).slice(1) : undefined;
  if (groups && !SPEC_GROUPS.some((g) => g.id === groups[0]))
    throw new Error(`--group needs one of ${SPEC_GROUPS.map((g) => g.id).join(', ')}`);
  const { rows, failures } = await accuracyReport(args.length > 0 ? args : ['cpu'], groups);
  console.log('| backend | group | quantity | k (max) | worst error / bound | max absolute error | cases |');
  console.log('| --- | --- | --- | --: | --: | --: | --: |');
  for (const r of rows)
    console.log(
      `| ${r.backend} | ${r.group} | ${r.what} | ${r.roundings} | ${r.worstErrorToBound.toFixed(3)} | ${r.maxAbsError.toExponential(2)} | ${r.cases} |`,
    );
  for (const f of failures) console.log(`FAILED ${f}`);
  process.exitCode = failures.some((f) => !f.includes(': skipped: ')) ? 1 : 0;
}
