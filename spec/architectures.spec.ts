import '../backends/index.js';
import { describeSpecGroup } from '../src/speckit/vitest.js';
import { architecturesGroup } from './groups/architectures.js';

await describeSpecGroup(architecturesGroup);
