import '../backends/index.js';
import { describeSpecGroup } from '../src/speckit/vitest.js';
import { forwardGroup } from './groups/forward.js';

await describeSpecGroup(forwardGroup);
