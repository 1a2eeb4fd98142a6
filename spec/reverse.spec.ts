import '../backends/index.js';
import { describeSpecGroup } from '../src/speckit/vitest.js';
import { reverseGroup } from './groups/reverse.js';

await describeSpecGroup(reverseGroup);
