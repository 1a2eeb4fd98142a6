import '../backends/index.js';
import { describeSpecGroup } from '../src/speckit/vitest.js';
import { loopsGroup } from './groups/loops.js';

await describeSpecGroup(loopsGroup);
