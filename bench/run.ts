// `npm run bench [-- --quick] [-- --long]`: every benchmark,
// printed as Markdown tables of median times and same-run ratios.
import '../backends/index.js';
import { benchEvalStartup, benchFoundation } from './foundation.js';
import { printGpujsBench } from './gpujs.js';
import { benchProcess, benchProcessTraining } from './process.js';
import { benchTfjs } from './tfjs.js';
import { printTable } from './timing.js';
import { benchTraining } from './training.js';

const quick = process.argv.includes('--quick');
printTable('Reference backend (float64) vs the axpy memory bound', await benchFoundation(quick ? [1e6] : [1e6, 1e7]));
printTable('diffspec eval start-up', await benchEvalStartup());
printTable('Process protocol: q_sample on the NumPy adapter vs in process', await benchProcess());
printTable('Process protocol: a training step on the PyTorch adapter vs in process', await benchProcessTraining());
const training = await benchTraining(quick, undefined, process.argv.includes('--long'));
printTable(
  'Training and sampling, per step (vs baseline: our time per step / PyTorch at the same precision, 1 thread)',
  training.rows,
);
for (const note of training.notes) console.log(`\n- ${note}`);
printTable(
  'TensorFlow.js backend (float32) vs the axpy memory bound',
  await benchTfjs({ sizes: quick ? [1e6] : [1e6, 1e7] }),
);
// headlessgl runs only under an X server: xvfb-run -a npm run bench
await printGpujsBench({ sizes: quick ? [1e6] : [1e6, 1e7], steps: quick ? 3 : 10 });
