// describeConformance: the whole suite registered for one backend inside a user's own vitest suite, here
// the plain-JS example backend (examples/plain-js-backend), which diffspec has never seen.

// @ts-expect-error: a plain JavaScript module without type declarations, as a third party writes it.
import { backend } from '../../examples/plain-js-backend/backend.mjs';
import { describeConformance } from '../../src/index.js';

describeConformance(backend);
