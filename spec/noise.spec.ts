import '../backends/index.js';
import { describeSpecGroup } from '../src/speckit/vitest.js';
import { noiseGroup } from './groups/noise.js';

await describeSpecGroup(noiseGroup);
