import { resolve } from 'node:path';
import { DEFAULT_SETTING, parseSweep, SWEEP_AXES, type Sweep } from '../../compare/setting.js';
import type { DiffusionBackend } from '../../contract/backend.js';
import { packageVersion } from '../../paths.js';
import { selectBackend } from '../../speckit/selection.js';
import { requireKnownBackends } from '../backend.js';
import { defineCommand, UsageError } from '../command.js';
import { option } from '../options.js';
import { integer, text, type ValueType } from '../values.js';

const DEFAULT_OUT = 'reports/compare';

const sweep: ValueType<Sweep> = {
  placeholder: 'AXIS=V,V,...',
  expected: `AXIS=V,V,... with AXIS one of ${Object.keys(SWEEP_AXES).join(', ')} and integers V >= 1 (1e3 allowed)`,
  parse: parseSweep,
};

export const compareCommand = defineCommand({
  name: 'compare',
  summary: 'accuracy and speed of backends on identical inputs, side by side',
  description: `Runs the same operations on identical inputs (shared seeded noise) on each backend and prints a table:
the max absolute / relative difference from the float64 reference, that error as a fraction of its bound
(src/speckit/tolerance.ts), and the median time per call. Where a backend draws its own noise, the reference is run
on the noise it drew. Sweeps rerun the comparison with one setting varied at a time (size: elements, as
[8, 1, 1, size / 8]; T: schedule length; steps: loop length) and plot the error against it, log-log. The report
folder gets index.html (heatmap of error / bound, sweep figures), summary.md and compare.json.`,
  options: {
    backends: option(text('NAME|PATH'), {
      list: true,
      required: true,
      description: 'backend names or module paths to compare (as for diffspec conformance --backend)',
    }),
    repeat: option(integer(1), { default: 5, description: 'timed runs per operation after one warm-up' }),
    batch: option(integer(1), { default: 8, description: 'batch size' }),
    size: option(integer(1), { default: 32, description: 'image side: inputs are [batch, 3, N, N]' }),
    seed: option(integer(0), { default: 0, description: 'noise seed' }),
    T: option(integer(1), {
      default: DEFAULT_SETTING.T,
      description: 'schedule length: betas linspace(1e-4, 0.02, T)',
    }),
    steps: option(integer(1), {
      default: DEFAULT_SETTING.steps,
      description: "loop length: forwardChain's t, sampleDdim's number of timesteps (at most T)",
    }),
    sweep: option(sweep, {
      list: true,
      whole: true,
      description: 'vary one setting over these values, the others at their defaults (accuracy only, not timed)',
    }),
    out: option(text('DIR'), { default: DEFAULT_OUT, description: 'report folder' }),
  },
  exitStatus: { 0: 'the table was printed', 1: 'no backend could run (each one left out is named with the reason)' },
  examples: [
    'diffspec compare --backends cpu,tfjs:wasm,gpujs:webasm',
    'diffspec compare --backends cpu,tfjs:wasm --sweep size=1e3,1e5,1e6 --sweep steps=10,50,1000',
  ],
  async run({ backends: selectors, repeat: repeats, batch, size: side, seed, T, steps, sweep: sweeps, out }) {
    const tooLong = sweeps.flatMap((s) => (s.axis === 'steps' ? s.values.filter((v) => v > T) : []));
    if (tooLong.length) throw new UsageError(`--sweep steps=${tooLong[0]}: a loop has at most T = ${T} steps (--T)`);
    await requireKnownBackends('backends', selectors);
    const started = Date.now();
    const { compareBackends, compareMarkdown } = await import('../../compare/compare.js');
    const { compareInputs } = await import('../../compare/operations.js');
    const { runSweeps, sweepMarkdown } = await import('../../compare/sweep.js');
    const { writeCompareReport } = await import('../../compare/report.js');
    const backends: DiffusionBackend[] = [];
    const leftOut: { name: string; reason: string }[] = [];
    for (const s of selectors) {
      const r = await selectBackend(s);
      if ('backend' in r) backends.push(r.backend);
      else {
        leftOut.push({ name: r.name, reason: 'failed' in r ? r.failed : r.skipped });
        process.stderr.write(`diffspec compare: ${r.name} left out: ${'failed' in r ? r.failed : r.skipped}\n`);
      }
    }
    if (backends.length === 0) return 1;
    const { cpuKernels: reference } = await import('../../../backends/cpu/kernels.js');
    const setting = { seed, shape: [batch, 3, side, side], T, steps };
    const inputs = compareInputs(setting);
    const progress = (c: { backend: string; operation: string; axis?: string; value?: number }) => {
      const at = c.axis === undefined ? '' : ` (${c.axis} = ${c.value})`;
      process.stderr.write(`  ${c.backend}: ${c.operation}${at}\n`);
    };
    const cells = await compareBackends(reference, backends, inputs, repeats, progress);
    process.stdout.write(`${compareMarkdown(cells, inputs, repeats)}\n`);
    const points = await runSweeps(reference, backends, sweeps, setting, progress);
    if (points.length) process.stdout.write(`\n${sweepMarkdown(points)}\n`);
    const dir = resolve(out);
    await writeCompareReport(dir, {
      startedAt: new Date(started).toISOString(),
      durationMs: Date.now() - started,
      versions: { diffspec: packageVersion(), node: process.version },
      inputs,
      repeats,
      backends: backends.map((b) => ({ name: b.name, precision: b.precision, metadata: b.metadata })),
      leftOut,
      cells,
      sweeps: points,
    });
    process.stdout.write(`\nreport: ${dir}\n`);
    return 0;
  },
});
