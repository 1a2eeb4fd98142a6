// `npm run bench:training [-- --quick] [-- --long] [-- --backends cpu,tfjs:wasm]`:
// the training benchmark alone, on every registered backend or on those listed;
// --long runs the long two-moons run even where it would take over 5 minutes.
import { printTable } from './timing.js';
import { benchTraining } from './training.js';

const USAGE = 'usage: npm run bench:training [-- --quick] [-- --long] [-- --backends cpu,tfjs:wasm]';
const args = process.argv.slice(2);
if (args.includes('--help') || args.includes('-h')) {
  console.log(USAGE);
  process.exit(0);
}
// An option misspelt must not start a run of many minutes.
const unknown = args.find((a, i) => !['--quick', '--long', '--backends'].includes(a) && args[i - 1] !== '--backends');
if (unknown) throw new Error(`unknown option ${unknown}; ${USAGE}`);
const listed = process.argv.indexOf('--backends');
const only = listed >= 0 ? process.argv[listed + 1]?.split(',').filter(Boolean) : undefined;
if (listed >= 0 && !only?.length)
  throw new Error('--backends needs a comma-separated list of backend names, e.g. --backends cpu,tfjs:wasm');
const { rows, notes } = await benchTraining(process.argv.includes('--quick'), only, process.argv.includes('--long'));
printTable(
  'Training and sampling, per step (vs baseline: our time per step / PyTorch at the same precision, 1 thread)',
  rows,
);
for (const note of notes) console.log(`\n- ${note}`);
