import { randomInt } from 'node:crypto';
import type { DiffusionBackend } from '../contract/backend.js';
import { checkId, type SpecCheck, type SpecGroup } from '../speckit/check.js';
import { replayCommand, runCheck } from '../speckit/runner.js';

/** One statistical check that failed in a fresh-seed run, with what reproduces it. */
export interface NightlyFailure {
  run: number;
  backend: string;
  check: string;
  suiteSeed: number;
  checkSeed: number;
  message: string;
  replay: string;
}

/** The tally of fresh-seed runs on one backend: per check, how often it ran, failed or was skipped. */
export interface NightlyTally {
  backend: string;
  runs: number;
  /** Runs in which any statistical check failed: the suite's observed false-alarm count. */
  failedRuns: number;
  checks: { check: string; falseAlarm: number; runs: number; failures: number; skipped: number; totalMs: number }[];
  failures: NightlyFailure[];
}

/** The statistical checks of the groups, each with its group. */
export function statisticalChecks(groups: readonly SpecGroup[]): { group: SpecGroup; check: SpecCheck }[] {
  return groups.flatMap((group) =>
    group.checks.filter((c) => c.kind === 'statistical').map((check) => ({ group, check })),
  );
}

/** A fresh suite seed, as DIFFSPEC_SEED=random draws one. */
export const freshSuiteSeed = () => randomInt(2 ** 31);

export function emptyTally(backend: string, checks: readonly { group: SpecGroup; check: SpecCheck }[]): NightlyTally {
  const rows = checks.map(({ group, check }) => ({
    check: checkId(group, check),
    falseAlarm: check.falseAlarm ?? 0,
    runs: 0,
    failures: 0,
    skipped: 0,
    totalMs: 0,
  }));
  return { backend, runs: 0, failedRuns: 0, checks: rows, failures: [] };
}

/** Runs every statistical check once on `backend` with the suite seed `suiteSeed` and adds the outcome to `tally`. */
export async function nightlyRun(
  tally: NightlyTally,
  backend: DiffusionBackend,
  selector: string,
  checks: readonly { group: SpecGroup; check: SpecCheck }[],
  suiteSeed: number,
): Promise<NightlyFailure[]> {
  const failures: NightlyFailure[] = [];
  for (const [i, { group, check }] of checks.entries()) {
    const row = tally.checks[i];
    const started = performance.now();
    const result = await runCheck(group, check, backend, suiteSeed);
    row.totalMs += performance.now() - started;
    if (result.status === 'skip') {
      row.skipped++;
      continue;
    }
    row.runs++;
    if (result.status === 'fail') {
      row.failures++;
      const replay = replayCommand(group, check, { name: backend.name, selector }, suiteSeed);
      const message = result.message ?? '';
      const run = tally.runs + 1;
      const checkSeed = result.seed;
      failures.push({ run, backend: backend.name, check: row.check, suiteSeed, checkSeed, message, replay });
    }
  }
  tally.runs++;
  if (failures.length > 0) tally.failedRuns++;
  tally.failures.push(...failures);
  return failures;
}
