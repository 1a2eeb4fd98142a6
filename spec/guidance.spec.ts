import '../backends/index.js';
import { describeSpecGroup } from '../src/speckit/vitest.js';
import { guidanceGroup } from './groups/guidance.js';

await describeSpecGroup(guidanceGroup);
