import { describe, it } from 'vitest';
import type { SpecGroup } from './check.js';
import { SpecFailure, type SpecRecord } from './context.js';
import { replayCommand, runCheck } from './runner.js';
import { suiteSeedFromEnv } from './seed.js';
import { selectedBackends } from './selection.js';

declare module 'vitest' {
  interface TaskMeta {
    diffspec?: { backend: string; group: string; check: string; kind: string; seed: number; suiteSeed: number; replay: string; records: SpecRecord[] };
  }
}

/** Per-check time limit: a hanging backend fails that check, and the run goes on. */
export const CHECK_TIMEOUT_MS = Number(process.env.DIFFSPEC_CHECK_TIMEOUT_MS ?? 60_000);

/**
 * Registers a spec group with vitest, once per selected backend (as tfjs's describeWithFlags): tests are
 * named "<group> > <backend> > <check>". A backend that cannot run here is reported as skipped with its reason.
 */
export async function describeSpecGroup(group: SpecGroup): Promise<void> {
  const suiteSeed = suiteSeedFromEnv();
  const resolutions = await selectedBackends();
  describe(group.id, () => {
    for (const r of resolutions) {
      describe(r.name, () => {
        for (const check of group.checks) {
          it(
            check.name,
            async (ctx) => {
              if ('skipped' in r) return ctx.skip(`backend unavailable: ${r.skipped}`);
              const result = await runCheck(group, check, r.backend, suiteSeed);
              const replay = replayCommand(group, check, r.name, suiteSeed);
              ctx.task.meta.diffspec = { backend: r.name, group: group.id, check: check.name, kind: check.kind, seed: result.seed, suiteSeed, replay, records: result.records };
              if (result.status === 'skip') return ctx.skip(result.message);
              if (result.status === 'fail') throw new SpecFailure(`${result.message}\n  suite seed ${suiteSeed}, check seed ${result.seed}\n  replay: ${replay}`);
            },
            CHECK_TIMEOUT_MS,
          );
        }
      });
    }
  });
}
