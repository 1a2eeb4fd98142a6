import '../backends/index.js';
import { describeSpecGroup } from '../src/speckit/vitest.js';
import { posteriorGroup } from './groups/posterior.js';

await describeSpecGroup(posteriorGroup);
