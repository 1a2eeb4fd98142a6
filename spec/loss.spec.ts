import '../backends/index.js';
import { describeSpecGroup } from '../src/speckit/vitest.js';
import { lossGroup } from './groups/loss.js';

await describeSpecGroup(lossGroup);
