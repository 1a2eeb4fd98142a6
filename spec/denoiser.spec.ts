import '../backends/index.js';
import { describeSpecGroup } from '../src/speckit/vitest.js';
import { denoiserGroup } from './groups/denoiser.js';

await describeSpecGroup(denoiserGroup);
