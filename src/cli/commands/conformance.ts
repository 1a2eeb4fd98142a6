import { existsSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { requireInput } from '../../errors.js';
import { packageRoot, packageVersion } from '../../paths.js';
import { isProgramFile } from '../../process/selector.js';
import type { BackendInfo, ConformanceReport } from '../../report/results.js';
import { MODEL_ONNX_ENV } from '../../speckit/model-onnx.js';
import { DEFAULT_SUITE_SEED, suiteSeedFromEnv } from '../../speckit/seed.js';
import { isModulePath } from '../../speckit/selection.js';
import { DEFAULT_CHECK_TIMEOUT_MS, MIN_LOAD_TIMEOUT_MS } from '../../speckit/timeout.js';
import { requireKnownBackends } from '../backend.js';
import { defineCommand, UsageError } from '../command.js';
import { option } from '../options.js';
import { existingFile, integer, pattern, text, type ValueType } from '../values.js';

const DEFAULT_OUT = join('reports', 'conformance');

/**
 * A backend selector: a registered name, a program's command line ("cmd:..."), or the path of a module or of a
 * program's JSON file (which must exist), made absolute.
 */
const backendSelector: ValueType<string> = {
  placeholder: 'NAME|PATH|cmd:COMMAND',
  expected: 'a backend name, the path of an existing module or .json file, or cmd:COMMAND ARGS',
  help: '',
  parse: (raw) => {
    if (!isModulePath(raw) && !isProgramFile(raw)) return raw;
    return existsSync(raw) ? resolve(raw) : undefined;
  },
};

const suiteSeed: ValueType<number> = {
  placeholder: 'N|random',
  expected: 'an integer >= 0 or "random"',
  parse: (raw) => {
    try {
      return suiteSeedFromEnv({ DIFFSPEC_SEED: raw });
    } catch {
      return undefined;
    }
  },
};

/** A part of the spec files: "i/n", 1 <= i <= n (vitest's sharding). */
const shardValue: ValueType<string> = {
  placeholder: 'I/N',
  expected: 'a part "i/n" with 1 <= i <= n',
  parse: (raw) => {
    const m = /^(\d+)\/(\d+)$/.exec(raw);
    return m && Number(m[1]) >= 1 && Number(m[1]) <= Number(m[2]) ? raw : undefined;
  },
};

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

/**
 * Loads each backend module in a process of its own, once, before any check: one that cannot be loaded or is
 * no backend object is reported here with the reason, and its checks do not run.
 */
async function modulesThatFailToLoad(selectors: readonly string[], timeoutMs: number): Promise<BackendInfo[]> {
  const { BackendProcess } = await import('../../isolation/backendProcess.js');
  const probes = selectors.filter(isModulePath).map(async (selector): Promise<BackendInfo | undefined> => {
    const host = new BackendProcess(selector, { loadTimeoutMs: timeoutMs });
    const reply = await host.load();
    host.kill();
    if (reply.type !== 'failed') return undefined;
    return { name: relative(process.cwd(), selector), unavailable: reply.reason, loadFailed: true };
  });
  return (await Promise.all(probes)).filter((b) => b !== undefined);
}

/** --model-onnx loads on ONNX Runtime and takes x_t with fixed item dimensions, or is bad input naming the option. */
async function requireOnnxDenoiser(file: string): Promise<void> {
  const { loadOnnxDenoiser } = await import('../../../backends/ort/onnxDenoiser.js');
  const denoiser = await loadOnnxDenoiser(readFileSync(file), '--model-onnx');
  try {
    const { x, itemShape } = denoiser.signature;
    requireInput(itemShape !== undefined, '--model-onnx', `input ${x} must have fixed dimensions after the batch`);
  } finally {
    await denoiser.dispose();
  }
}

export const conformanceCommand = defineCommand({
  name: 'conformance',
  summary: 'run the spec suite against backends and write a report (the main job)',
  description: `Runs the diffspec spec suite (spec/<group>.spec.ts for each group, through vitest) against backends
and writes a report: results.json, junit.xml, summary.md, index.html (tables and charts) and trend.json (appended
per run).`,
  options: {
    backend: option(backendSelector, {
      list: true,
      description:
        'a registered backend (cpu, or a family such as tfjs), the path of a module whose default export (or ' +
        '"backend" export) implements the DiffusionBackend contract, or a program in any language speaking ' +
        'docs/protocol.md: "cmd:COMMAND ARGS" or a .json file naming its command, args, cwd and env',
      defaultText: 'every built-in backend; those that cannot run here are listed with the reason',
    }),
    out: option(text('DIR'), { default: DEFAULT_OUT, description: 'report folder' }),
    seed: option(suiteSeed, {
      default: DEFAULT_SUITE_SEED,
      defaultText: `${DEFAULT_SUITE_SEED}, the fixed CI seed`,
      description: "suite seed; every check's seed derives from it",
    }),
    group: option(text('ID'), { list: true, defaultText: 'all', description: 'only these spec groups, e.g. forward' }),
    filter: option(pattern(), {
      description: 'only checks whose "<group> <backend> <check>" matches this regular expression',
    }),
    expectations: option(existingFile(), {
      list: true,
      description:
        'a backend\'s known gaps: {"backend": NAME, "checks": {"<group> > <check>": {"status": "xfail"|"skip", ' +
        '"reason": ...}}}; built-in backends\' files live in expectations/',
    }),
    shard: option(shardValue, {
      description:
        "run part i of n of the spec files (vitest's sharding: deterministic, every file in exactly one part); " +
        "combine the parts' report folders with diffspec report --merge",
    }),
    timeout: option(integer(1, 'MS'), {
      description:
        'per-check time limit in milliseconds: each backend runs in a process of its own, killed and started again ' +
        'when a check runs past it (a synchronous loop too), so that check fails and the run goes on',
      defaultText: String(DEFAULT_CHECK_TIMEOUT_MS),
    }),
    'model-onnx': option(existingFile(), {
      description:
        'an ONNX denoiser from elsewhere (input x_t float32 [N, ...] with fixed item dimensions, input t [N] in 1..T, ' +
        "output eps; backends/ort/README.md) for the denoiser group, which drives it through each backend's DDPM " +
        "and DDIM loops and checks every step against the float64 step from that step's x_t and output; alone, " +
        'it runs that group only',
      defaultText: "diffspec's simple-conv exported to ONNX",
    }),
    heap: option(integer(16, 'MB'), {
      description: "heap limit of each backend's process (V8 --max-old-space-size): a check that exceeds it fails",
      defaultText: "Node's default",
    }),
  },
  exitStatus: {
    0: 'every check passed, or failed as its expectations file says',
    1: 'a check failed unexpectedly, the run could not start a check, or no backend can run here',
  },
  examples: [
    'diffspec conformance',
    'diffspec conformance --backend ./my-backend.mjs --expectations ./my-expectations.json',
    'diffspec conformance --backend cpu --group forward --seed random',
    'diffspec conformance --model-onnx model.onnx --backend cpu,ort:node',
    'diffspec conformance --shard 1/2 --out shard-1 && diffspec conformance --shard 2/2 --out shard-2',
    "diffspec conformance --backend 'cmd:/usr/bin/python3 examples/python-numpy/backend.py'",
  ],
  async run(options) {
    const { backend: selectors, out: outDir, seed: suiteSeed, group: groupIds, filter, expectations } = options;
    const { timeout, heap, shard } = options;
    const modelOnnx = options['model-onnx'];
    await requireKnownBackends('backend', selectors);
    const out = resolve(outDir);
    if (modelOnnx) await requireOnnxDenoiser(modelOnnx);

    // The spec files read their selection from the environment (src/speckit/vitest.ts); vitest's workers inherit it.
    const loadTimeoutMs = Math.max(timeout ?? DEFAULT_CHECK_TIMEOUT_MS, MIN_LOAD_TIMEOUT_MS);
    const notLoaded = await modulesThatFailToLoad(selectors, loadTimeoutMs);
    const loadable = selectors.filter((s) => !notLoaded.some((b) => b.name === relative(process.cwd(), s)));
    const builtin = selectors.length === 0 ? await builtinBackends() : { runnable: loadable, unavailable: notLoaded };
    if (selectors.length === 0 && builtin.runnable.length === 0) {
      process.stderr.write(
        `diffspec conformance: no built-in backend can run here:\n${builtin.unavailable.map((b) => `  ${b.name}: ${b.unavailable}`).join('\n')}\n`,
      );
      return 1;
    }
    process.env.DIFFSPEC_BACKENDS = builtin.runnable.join(',');
    process.env.DIFFSPEC_SEED = String(suiteSeed);
    if (expectations.length > 0) process.env.DIFFSPEC_EXPECTATIONS = expectations.join(',');
    if (timeout) process.env.DIFFSPEC_CHECK_TIMEOUT_MS = String(timeout);
    if (heap) process.env.DIFFSPEC_BACKEND_HEAP_MB = String(heap);
    if (modelOnnx) process.env[MODEL_ONNX_ENV] = resolve(modelOnnx);

    const [
      { createVitest, version: vitestVersion },
      { SPEC_GROUPS },
      { ConformanceCollector },
      { seedStrips },
      { writeReport },
      summary,
      { runFailed },
      { backendsAtOnce, conformancePoolOptions },
      { blobReporter, clearBlobs },
      { denoiserGroup },
    ] = await Promise.all([
      import('vitest/node'),
      import('../../../spec/groups/index.js'),
      import('../../report/collector.js'),
      import('../../report/strips.js'),
      import('../../report/write.js'),
      import('../../report/summary.js'),
      import('../../report/results.js'),
      import('../../speckit/pool.js'),
      import('../../report/blobs.js'),
      import('../../../spec/groups/denoiser.js'),
    ]);
    const unknownGroup = groupIds.find((id) => !SPEC_GROUPS.some((g) => g.id === id));
    if (unknownGroup)
      throw new UsageError(
        `--group ${unknownGroup}: unknown spec group (groups: ${SPEC_GROUPS.map((g) => g.id).join(', ')})`,
      );
    // A model alone asks for the checks that drive it: the denoiser group.
    const chosen = groupIds.length > 0 ? groupIds : modelOnnx ? [denoiserGroup.id] : undefined;
    const groups = chosen ? SPEC_GROUPS.filter((g) => chosen.includes(g.id)) : SPEC_GROUPS;
    const names = builtin.runnable;
    const colour = Boolean(process.stdout.isTTY) && !process.env.NO_COLOR;
    const shown = names.map((n) => (isModulePath(n) ? relative(process.cwd(), n) : n)).join(', ') || 'none';
    const filtered = filter ? `; filter ${filter}` : '';
    const model = modelOnnx ? `; ONNX denoiser ${modelOnnx}` : '';
    process.stdout.write(`diffspec conformance: backends ${shown}; suite seed ${suiteSeed}${filtered}${model}\n`);
    for (const b of builtin.unavailable) {
      const why = b.loadFailed ? 'not run, failed to load' : 'not run here';
      process.stdout.write(`  ${why}: ${b.name}: ${b.unavailable}\n`);
    }
    process.env.DIFFSPEC_BACKENDS_AT_ONCE = String(backendsAtOnce());
    process.env.DIFFSPEC_HOST = (await import('../../isolation/backendProcess.js')).OWN_HOST;
    const collector = new ConformanceCollector(process.stdout, colour);
    await clearBlobs(out);
    const root = packageRoot();
    const startedAt = new Date();
    // With no backend left to run, vitest is not started: the report says why each one did not run.
    const vitest =
      names.length === 0
        ? undefined
        : await createVitest('test', {
            root,
            config: join(root, 'vitest.config.ts'),
            include: groups.map((g) => `spec/${g.id}.spec.ts`),
            watch: false,
            // A shard also writes vitest's blob report, which `diffspec report --merge` replays (src/report/blobs.ts).
            reporters: shard ? [collector, blobReporter(out, shard)] : [collector],
            testNamePattern: filter,
            passWithNoTests: true,
            ...(shard ? { shard } : {}),
            ...conformancePoolOptions(),
          });
    try {
      await vitest?.start();
    } finally {
      await vitest?.close();
    }
    const backendsRun = [...new Set(collector.results.map((r) => r.backend))];
    const report: ConformanceReport = {
      run: {
        startedAt: startedAt.toISOString(),
        durationMs: Date.now() - startedAt.getTime(),
        suiteSeed,
        ...(filter ? { filter } : {}),
        ...(shard ? { shard } : {}),
        ...(modelOnnx ? { modelOnnx } : {}),
        groups: groups.map((g) => g.id),
        versions: { diffspec: packageVersion(), node: process.version, vitest: vitestVersion },
        backends: [
          ...backendsRun.map((name) => ({ name, ...collector.backendInfo.get(name) })),
          ...builtin.unavailable,
        ],
      },
      results: collector.results,
      errors: collector.errors,
    };
    // A shard may hold no spec file (more parts than files); the merged report counts what ran.
    const nothingRan = report.results.length === 0 && report.errors.length === 0 && notLoaded.length === 0;
    if (nothingRan && !shard) report.errors.push(filter ? `no check matches --filter ${filter}` : 'no checks ran');
    const processLost = /^(timed out|crashed|not run)/;
    const lostProcess = report.results.filter((r) => r.status === 'fail' && processLost.test(r.message ?? ''));
    const lost = new Set(lostProcess.map((r) => r.backend));
    await writeReport(out, report, await seedStrips(names, suiteSeed, lost));
    process.stdout.write(`\n${summary.textTable(summary.summaryTable(report))}\n`);
    for (const b of report.run.backends.filter((x) => x.unavailable))
      process.stdout.write(`\n${b.name} did not run: ${b.unavailable}\n`);
    process.stdout.write(summary.failureText(report));
    process.stdout.write(
      `\n${summary.verdict(report)} in ${(report.run.durationMs / 1000).toFixed(1)} s\nreport: ${relative(process.cwd(), out) || '.'}/ (index.html, summary.md, results.json, junit.xml, trend.json)\n`,
    );
    return runFailed(report) ? 1 : 0;
  },
});
