// The suite must fail on wrong implementations: each deliberately broken backend (test/broken/) names the check
// whose equation its bug breaks, and that check must fail on it, on the fixed suite seed. Any other check of the
// group failing is not enough: a bug that only the output guard (src/speckit/guard.ts) noticed, a NaN or a wrong
// shape, would pass for caught while the equation it breaks went unchecked.
import { describe, expect, it } from 'vitest';
import { SPEC_GROUPS } from '../spec/groups/index.js';
import { checkId, type SpecCheck, type SpecGroup } from '../src/speckit/check.js';
import { runCheck } from '../src/speckit/runner.js';
import { suiteSeedFromEnv } from '../src/speckit/seed.js';
import { BROKEN_BACKENDS } from './broken/index.js';

const CHECKS = new Map<string, { group: SpecGroup; check: SpecCheck }>(
  SPEC_GROUPS.flatMap((group) => group.checks.map((check) => [checkId(group, check), { group, check }] as const)),
);

/** The output guard's failures read "<backend>.<operation>: output...": the guard caught it, not the check. */
const guardFailure = (backendName: string) =>
  new RegExp(`^${backendName.replace(/[\\^$.*+?()[\]{}|]/g, '\\$&')}\\.\\w+: output`);

describe('deliberately broken backends are reported', () => {
  const suiteSeed = suiteSeedFromEnv();
  for (const broken of BROKEN_BACKENDS) {
    it(`${broken.id}: ${broken.bug} (caught by ${broken.caughtBy})`, async () => {
      const named = CHECKS.get(broken.caughtBy);
      const unknown = `${broken.id} names ${JSON.stringify(broken.caughtBy)}, not "<group> > <check>" of the suite`;
      expect(named, unknown).toBeDefined();
      const result = await runCheck(named!.group, named!.check, broken.backend, suiteSeed);
      const outcome = result.status === 'skip' ? `skipped: ${result.message}` : 'passed';
      expect(result.status, `${broken.caughtBy} ${outcome}`).toBe('fail');
      expect(result.message, 'only the output guard noticed the bug').not.toMatch(guardFailure(broken.backend.name));
    });
  }

  it('every spec group has at least one broken backend it must catch', () => {
    const covered = new Set(BROKEN_BACKENDS.map((b) => CHECKS.get(b.caughtBy)?.group.id));
    expect(SPEC_GROUPS.map((g) => g.id).filter((id) => !covered.has(id))).toEqual([]);
  });

  it('broken backends have distinct ids', () => {
    const ids = BROKEN_BACKENDS.map((b) => b.id);
    expect(ids.filter((id, i) => ids.indexOf(id) !== i)).toEqual([]);
  });
});
