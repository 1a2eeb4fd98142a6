import '../backends/index.js';
import { describeSpecGroup } from '../src/speckit/vitest.js';
import { samplingGroup } from './groups/sampling.js';

await describeSpecGroup(samplingGroup);
