// `npm run bench`: every benchmark, printed as Markdown tables of median times and same-run ratios.
import '../backends/index.js';
import { benchEvalStartup, benchFoundation } from './foundation.js';
import { benchTfjs } from './tfjs.js';
import { printTable } from './timing.js';

const quick = process.argv.includes('--quick');
printTable('Reference backend (float64) vs the axpy memory bound', await benchFoundation(quick ? [1e6] : [1e6, 1e7]));
printTable('diffspec eval start-up', await benchEvalStartup());
printTable('TensorFlow.js backend (float32) vs the axpy memory bound', await benchTfjs({ sizes: quick ? [1e6] : [1e6, 1e7] }));
