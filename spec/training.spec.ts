import '../backends/index.js';
import { describeSpecGroup } from '../src/speckit/vitest.js';
import { trainingGroup } from './groups/training.js';

await describeSpecGroup(trainingGroup);
