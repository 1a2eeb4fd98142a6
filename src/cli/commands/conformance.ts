import { existsSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { packageRoot, packageVersion } from '../../paths.js';
import type { BackendInfo, ConformanceReport } from '../../report/results.js';
import { suiteSeedFromEnv } from '../../speckit/seed.js';
import { isModulePath } from '../../speckit/selection.js';
import { integerOption, listOption, parseArgs, single } from '../args.js';
import { UsageError, type Command } from '../command.js';

const DEFAULT_OUT = join('reports', 'conformance');

const USAGE = `Usage: diffspec conformance [--backend NAME|PATH ...] [--out DIR] [--seed N|random] [--group ID ...]
                            [--filter PATTERN] [--expectations FILE ...] [--timeout MS]

Runs the diffspec spec suite (spec/<group>.spec.ts for each group, through vitest) against backends and writes a report:
results.json, junit.xml, summary.md, index.html (tables and charts) and trend.json (appended per run).
Exits 1 when a check fails unexpectedly.

Options:
  --backend NAME|PATH  a registered backend (cpu, or a family such as tfjs), or the path of a module whose
                       default export (or "backend" export) implements the DiffusionBackend contract;
                       repeat or comma-separate for several (default: every built-in backend; those that
                       cannot run here are listed with the reason)
  --out DIR            report folder (default ${DEFAULT_OUT})
  --seed N|random      suite seed; every check's seed derives from it (default: the fixed CI seed)
  --group ID           only these spec groups (repeat or comma-separate; default all), e.g. forward,sampling
  --filter PATTERN     only checks whose "<group> <backend> <check>" matches this regular expression
  --expectations FILE  a backend's known gaps: {"backend": NAME, "checks": {"<group> > <check>": {"status":
                       "xfail"|"skip", "reason": ...}}}; built-in backends' files live in expectations/
  --timeout MS         per-check time limit (default 60000): a hanging backend fails that check`;

function backendSelectors(selectors: readonly string[]): string[] {
  return selectors.map((s) => {
    if (!isModulePath(s)) return s;
    const file = resolve(s);
    if (!existsSync(file)) throw new UsageError(`--backend ${s}: no such file`);
    return file;
  });
}

async function checkBackendNames(selectors: readonly string[]): Promise<void> {
  await import('../../../backends/index.js');
  const { registeredBackends } = await import('../../contract/registry.js');
  const known = registeredBackends().map((r) => r.name);
  const families = new Set(known.map((n) => n.split(':')[0]));
  for (const s of selectors) {
    if (!isModulePath(s) && !known.includes(s) && !families.has(s)) throw new UsageError(`--backend ${s}: unknown backend (built in: ${known.join(', ')}; or give a module path)`);
  }
}

/** The default selection: every built-in backend that can run here, and the others with the reason they cannot. */
async function builtinBackends(): Promise<{ runnable: string[]; unavailable: BackendInfo[] }> {
  await import('../../../backends/index.js');
  const { availability, registeredBackends } = await import('../../contract/registry.js');
  const runnable: string[] = [];
  const unavailable: BackendInfo[] = [];
  for (const r of registeredBackends()) {
    const ok = await availability(r);
    if (ok === true) runnable.push(r.name);
    else unavailable.push({ name: r.name, unavailable: ok });
  }
  return { runnable, unavailable };
}

export const conformanceCommand: Command = {
  name: 'conformance',
  summary: 'run the spec suite against backends and write a report (the main job)',
  usage: USAGE,
  async run(argv) {
    const args = parseArgs(argv, ['backend', 'out', 'seed', 'group', 'filter', 'expectations', 'timeout']);
    const selectors = backendSelectors(listOption(args, 'backend'));
    await checkBackendNames(selectors);
    let suiteSeed: number;
    try {
      suiteSeed = suiteSeedFromEnv({ DIFFSPEC_SEED: single(args, 'seed') });
    } catch (e) {
      throw new UsageError(`--seed: ${(e as Error).message.replace(/^DIFFSPEC_SEED /, '')}`);
    }
    const timeout = args.values.has('timeout') ? integerOption(args, 'timeout', 0, 1) : undefined;
    const expectations = listOption(args, 'expectations').map((f) => resolve(f));
    for (const f of expectations) if (!existsSync(f)) throw new UsageError(`--expectations ${f}: no such file`);
    const filter = single(args, 'filter');
    const out = resolve(single(args, 'out', DEFAULT_OUT)!);

    // The spec files read their selection from the environment (src/speckit/vitest.ts); vitest's workers inherit it.
    const builtin = selectors.length === 0 ? await builtinBackends() : { runnable: selectors, unavailable: [] };
    if (builtin.runnable.length === 0) {
      process.stderr.write(`diffspec conformance: no built-in backend can run here:\n${builtin.unavailable.map((b) => `  ${b.name}: ${b.unavailable}`).join('\n')}\n`);
      return 1;
    }
    process.env.DIFFSPEC_BACKENDS = builtin.runnable.join(',');
    process.env.DIFFSPEC_SEED = String(suiteSeed);
    if (expectations.length > 0) process.env.DIFFSPEC_EXPECTATIONS = expectations.join(',');
    if (timeout) process.env.DIFFSPEC_CHECK_TIMEOUT_MS = String(timeout);

    const [{ createVitest, version: vitestVersion }, { SPEC_GROUPS }, { ConformanceCollector }, { seedStrips }, { writeReport }, summary, { runFailed }, { conformancePoolOptions }] = await Promise.all([
      import('vitest/node'),
      import('../../../spec/groups/index.js'),
      import('../../report/collector.js'),
      import('../../report/strips.js'),
      import('../../report/write.js'),
      import('../../report/summary.js'),
      import('../../report/results.js'),
      import('../../speckit/pool.js'),
    ]);
    const groupIds = listOption(args, 'group');
    const unknownGroup = groupIds.find((id) => !SPEC_GROUPS.some((g) => g.id === id));
    if (unknownGroup) throw new UsageError(`--group ${unknownGroup}: unknown spec group (groups: ${SPEC_GROUPS.map((g) => g.id).join(', ')})`);
    const groups = groupIds.length > 0 ? SPEC_GROUPS.filter((g) => groupIds.includes(g.id)) : SPEC_GROUPS;
    const names = builtin.runnable;
    const colour = Boolean(process.stdout.isTTY) && !process.env.NO_COLOR;
    process.stdout.write(`diffspec conformance: backends ${names.map((n) => (isModulePath(n) ? relative(process.cwd(), n) : n)).join(', ')}; suite seed ${suiteSeed}${filter ? `; filter ${filter}` : ''}\n`);
    for (const b of builtin.unavailable) process.stdout.write(`  not run here: ${b.name}: ${b.unavailable}\n`);
    const collector = new ConformanceCollector(process.stdout, colour);
    const root = packageRoot();
    const startedAt = new Date();
    const vitest = await createVitest('test', { root, config: join(root, 'vitest.config.ts'), include: groups.map((g) => `spec/${g.id}.spec.ts`), watch: false, reporters: [collector], testNamePattern: filter, passWithNoTests: true, ...conformancePoolOptions() });
    try {
      await vitest.start();
    } finally {
      await vitest.close();
    }
    const backendsRun = [...new Set(collector.results.map((r) => r.backend))];
    const report: ConformanceReport = {
      run: {
        startedAt: startedAt.toISOString(),
        durationMs: Date.now() - startedAt.getTime(),
        suiteSeed,
        ...(filter ? { filter } : {}),
        groups: groups.map((g) => g.id),
        versions: { diffspec: packageVersion(), node: process.version, vitest: vitestVersion },
        backends: [...backendsRun.map((name) => ({ name, ...collector.backendInfo.get(name) })), ...builtin.unavailable],
      },
      results: collector.results,
      errors: collector.errors,
    };
    if (report.results.length === 0 && report.errors.length === 0) report.errors.push(filter ? `no check matches --filter ${filter}` : 'no checks ran');
    const timedOut = new Set(report.results.filter((r) => r.status === 'fail' && /timed out/.test(r.message ?? '')).map((r) => r.backend));
    await writeReport(out, report, await seedStrips(names, suiteSeed, timedOut));
    process.stdout.write(`\n${summary.textTable(summary.summaryTable(report))}\n`);
    for (const b of report.run.backends.filter((x) => x.unavailable)) process.stdout.write(`\n${b.name} did not run: ${b.unavailable}\n`);
    for (const r of report.results.filter((x) => x.status === 'fail')) process.stdout.write(`\nFAIL ${r.backend} ${r.group} > ${r.check}\n  ${(r.message ?? '').split('\n').join('\n  ')}\n  replay: ${r.replay}\n`);
    for (const e of report.errors) process.stdout.write(`\nrun error: ${e}\n`);
    process.stdout.write(`\n${summary.verdict(report)} in ${(report.run.durationMs / 1000).toFixed(1)} s\nreport: ${relative(process.cwd(), out) || '.'}/ (index.html, summary.md, results.json, junit.xml, trend.json)\n`);
    return runFailed(report) ? 1 : 0;
  },
};
