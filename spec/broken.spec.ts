// The suite must fail on wrong implementations: each deliberately broken backend (spec/broken/) is run through the
// spec group that must catch its bug, on the fixed suite seed, and at least one check of that group must fail.
// Exact and property checks run first and the first failure ends the search, so the statistical ones run only when needed.
import { describe, expect, it } from 'vitest';
import { runCheck } from '../src/speckit/runner.js';
import { suiteSeedFromEnv } from '../src/speckit/seed.js';
import { BROKEN_BACKENDS } from './broken/index.js';
import { SPEC_GROUPS } from './groups/index.js';

describe('deliberately broken backends are reported', () => {
  const suiteSeed = suiteSeedFromEnv();
  for (const broken of BROKEN_BACKENDS) {
    it(`${broken.id}: ${broken.bug} (caught by ${broken.caughtBy})`, async () => {
      const group = SPEC_GROUPS.find((g) => g.id === broken.caughtBy);
      expect(group, `no spec group ${broken.caughtBy}`).toBeDefined();
      const ordered = [...group!.checks].sort((a, b) => Number(a.kind === 'statistical') - Number(b.kind === 'statistical'));
      let caughtBy: string | undefined;
      for (const check of ordered) {
        if ((await runCheck(group!, check, broken.backend, suiteSeed)).status === 'fail') {
          caughtBy = check.name;
          break;
        }
      }
      expect(caughtBy, `no check of group ${broken.caughtBy} failed on ${broken.id}`).toBeDefined();
    });
  }

  it('every spec group has at least one broken backend it must catch', () => {
    const covered = new Set(BROKEN_BACKENDS.map((b) => b.caughtBy));
    expect(SPEC_GROUPS.map((g) => g.id).filter((id) => !covered.has(id))).toEqual([]);
  });
});
