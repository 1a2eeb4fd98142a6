import '../backends/index.js';
import { describeSpecGroup } from '../src/speckit/vitest.js';
import { embeddingGroup } from './groups/embedding.js';

await describeSpecGroup(embeddingGroup);
