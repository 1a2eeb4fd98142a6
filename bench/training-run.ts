// `npm run bench:training [-- --quick]`: the training benchmark alone, as a Markdown table.
import { benchTraining } from './training.js';

const { rows, notes } = await benchTraining(process.argv.includes('--quick'));
console.log('\n## Training and sampling (steps per second; ratio = our time per step / PyTorch, same run)\n');
console.log('| benchmark | size | time per step | rate | vs baseline |');
console.log('|---|---|---|---|---|');
for (const r of rows) console.log(`| ${r.benchmark} | ${r.size} | ${(r.seconds * 1e3).toFixed(1)} ms | ${r.rate ?? ''} | ${r.ratio === undefined ? '' : `${r.ratio.toFixed(2)}x ${r.baseline}`} |`);
for (const note of notes) console.log(`\n- ${note}`);
