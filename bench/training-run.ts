// `npm run bench:training [-- --quick]`: the training benchmark alone.
import { printTable } from './timing.js';
import { benchTraining } from './training.js';

const { rows, notes } = await benchTraining(process.argv.includes('--quick'));
printTable('Training and sampling, per step (vs baseline: our time per step / PyTorch at the same precision, 1 thread)', rows);
for (const note of notes) console.log(`\n- ${note}`);
