import '../backends/index.js';
import { describeSpecGroup } from '../src/speckit/vitest.js';
import { schedulesGroup } from './groups/schedules.js';

await describeSpecGroup(schedulesGroup);
