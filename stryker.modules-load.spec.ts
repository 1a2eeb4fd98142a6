// Stryker's vitest runner counts a test file that fails while loading as no result rather than a failure, so a mutant
// in module-level code (a "static" mutant) that breaks loading would be reported as surviving. Loading the modules
// inside a test turns that into a failed test. Run by `npm run mutation` only (vitest.stryker.config.ts).
import { it } from 'vitest';

it('the reference backend and every spec group load', async () => {
  await import('./backends/cpu/index.js');
  await import('./spec/groups/index.js');
});
