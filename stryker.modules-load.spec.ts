// Stryker's vitest runner counts a test file that fails while loading as no result rather than a failure, so a mutant
// in module-level code (a "static" mutant) that breaks loading would be reported as surviving. This file loads the
// modules at its top level, as every spec file does (so their code stays "static" and is activated before loading:
// an import inside a test would make it look covered by that test and be activated too late), and reports a load
// failure from inside a test. Run by `npm run mutation` only (vitest.stryker.config.ts).
import { it } from 'vitest';

const loadError = await Promise.all([import('./backends/cpu/index.js'), import('./spec/groups/index.js')]).then(
  () => undefined,
  (error: unknown) => error,
);

it('the reference backend and every spec group load', () => {
  if (loadError !== undefined) throw loadError;
});
