import { extname } from 'node:path';
import type { DiffusionBackend } from '../../contract/backend.js';
import { resolveBackend } from '../../contract/registry.js';
import { writeFileAtomic } from '../../files.js';
import { isModulePath, loadBackendModule } from '../../speckit/selection.js';
import { integerOption, listOption, parseArgs, single } from '../args.js';
import { UsageError, type Command } from '../command.js';

const USAGE = `Usage: diffspec compare --backends A,B,... [--repeat N] [--batch N] [--size N] [--seed N] [--out FILE.md|FILE.json]

Runs the same operations on identical inputs (shared seeded noise) on each backend and prints a table:
the max absolute / relative difference from the float64 reference, and the median time per call.

Options:
  --backends LIST  comma-separated backend names or module paths (as for diffspec conformance)
  --repeat N       timed runs per operation after one warm-up (default 5)
  --batch N        batch size (default 8)
  --size N         image side: inputs are [batch, 3, N, N] (default 32)
  --seed N         noise seed (default 0)
  --out FILE       also write the table: .md (markdown) or .json (the cells)`;

export const compareCommand: Command = {
  name: 'compare',
  summary: 'accuracy and speed of backends on identical inputs, side by side',
  usage: USAGE,
  async run(argv) {
    const args = parseArgs(argv, ['backends', 'repeat', 'batch', 'size', 'seed', 'out']);
    const selectors = listOption(args, 'backends');
    if (selectors.length === 0) throw new UsageError('--backends A,B,... is required');
    const repeats = integerOption(args, 'repeat', 5, 1);
    const batch = integerOption(args, 'batch', 8, 1);
    const side = integerOption(args, 'size', 32, 1);
    const seed = integerOption(args, 'seed', 0, 0);
    const out = single(args, 'out');
    if (out && !['.md', '.json'].includes(extname(out))) throw new UsageError(`--out must end in .md or .json, got ${JSON.stringify(out)}`);

    await import('../../../backends/index.js');
    const { compareBackends, compareMarkdown } = await import('../../compare/compare.js');
    const { compareInputs } = await import('../../compare/operations.js');
    const backends: DiffusionBackend[] = [];
    for (const s of selectors) {
      const r = isModulePath(s) ? await loadBackendModule(s) : await resolveBackend(s);
      if ('backend' in r) backends.push(r.backend);
      else process.stderr.write(`diffspec compare: ${r.name} left out: ${'failed' in r ? r.failed : r.skipped}\n`);
    }
    if (backends.length === 0) return 1;
    const reference = await resolveBackend('cpu');
    if (!('backend' in reference)) throw new Error('the cpu reference backend is not registered');
    const inputs = compareInputs(seed, batch, side);
    const cells = await compareBackends(reference.backend, backends, inputs, repeats, (c) => process.stderr.write(`  ${c.backend}: ${c.operation}\n`));
    const table = compareMarkdown(cells, inputs, repeats);
    process.stdout.write(table + '\n');
    if (out) await writeFileAtomic(out, extname(out) === '.json' ? JSON.stringify({ inputs: { shape: inputs.shape, seed, repeats }, cells }, null, 2) + '\n' : table + '\n');
    return 0;
  },
};
