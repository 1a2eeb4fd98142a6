// Every spec group, in report order. A new group in spec/groups/ is added here and gets its spec/<id>.spec.ts
// (spec/cli/groups.spec.ts checks both).
import type { SpecGroup } from '../../src/speckit/check.js';
import { forwardGroup } from './forward.js';

export const ALL_GROUPS: readonly SpecGroup[] = [forwardGroup];
