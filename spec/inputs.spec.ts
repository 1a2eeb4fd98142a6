import '../backends/index.js';
import { describeSpecGroup } from '../src/speckit/vitest.js';
import { inputsGroup } from './groups/inputs.js';

await describeSpecGroup(inputsGroup);
