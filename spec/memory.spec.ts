import '../backends/index.js';
import { describeSpecGroup } from '../src/speckit/vitest.js';
import { memoryGroup } from './groups/memory.js';

await describeSpecGroup(memoryGroup);
