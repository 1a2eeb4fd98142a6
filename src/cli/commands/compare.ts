import { extname } from 'node:path';
import type { DiffusionBackend } from '../../contract/backend.js';
import { writeFileAtomic } from '../../files.js';
import { isModulePath, loadBackendModule } from '../../speckit/selection.js';
import { requireKnownBackends } from '../backend.js';
import { defineCommand } from '../command.js';
import { option } from '../options.js';
import { fileEndingIn, integer, text } from '../values.js';

export const compareCommand = defineCommand({
  name: 'compare',
  summary: 'accuracy and speed of backends on identical inputs, side by side',
  description: `Runs the same operations on identical inputs (shared seeded noise) on each backend and prints a table:
the max absolute / relative difference from the float64 reference, that error as a fraction of its bound
(src/speckit/tolerance.ts), and the median time per call. Where a backend draws its own noise, the reference is run
on the noise it drew.`,
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
    T: option(integer(1), { default: 1000, description: 'schedule length: betas linspace(1e-4, 0.02, T)' }),
    steps: option(integer(1), {
      default: 100,
      description: "loop length: forwardChain's t, sampleDdim's number of timesteps (at most T)",
    }),
    out: option(fileEndingIn(['.md', '.json']), {
      description: 'also write the table: .md (markdown) or .json (the cells)',
    }),
  },
  exitStatus: { 0: 'the table was printed', 1: 'no backend could run (each one left out is named with the reason)' },
  examples: ['diffspec compare --backends cpu,tfjs:wasm --out compare.md'],
  async run({ backends: selectors, repeat: repeats, batch, size: side, seed, T, steps, out }) {
    await requireKnownBackends('backends', selectors);
    const { compareBackends, compareMarkdown } = await import('../../compare/compare.js');
    const { compareInputs } = await import('../../compare/operations.js');
    const { resolveBackend } = await import('../../contract/registry.js');
    const backends: DiffusionBackend[] = [];
    for (const s of selectors) {
      const r = isModulePath(s) ? await loadBackendModule(s) : await resolveBackend(s);
      if ('backend' in r) backends.push(r.backend);
      else process.stderr.write(`diffspec compare: ${r.name} left out: ${'failed' in r ? r.failed : r.skipped}\n`);
    }
    if (backends.length === 0) return 1;
    const { cpuKernels: reference } = await import('../../../backends/cpu/kernels.js');
    const inputs = compareInputs({ seed, shape: [batch, 3, side, side], T, steps });
    const progress = (c: { backend: string; operation: string }) => {
      process.stderr.write(`  ${c.backend}: ${c.operation}\n`);
    };
    const cells = await compareBackends(reference, backends, inputs, repeats, progress);
    const table = compareMarkdown(cells, inputs, repeats);
    process.stdout.write(table + '\n');
    const setting = { shape: inputs.shape, seed, T, steps: inputs.steps, repeats };
    if (out) {
      const json = () => JSON.stringify({ inputs: setting, cells }, null, 2) + '\n';
      await writeFileAtomic(out, extname(out) === '.json' ? json() : table + '\n');
    }
    return 0;
  },
});
