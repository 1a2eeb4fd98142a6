import type { SpecGroup } from './check.js';

/**
 * The suite-wide false-alarm budget: with every statistical check at its stated rate, the chance that a correct
 * backend fails any of them in one run is at most this (Bonferroni). A fresh-seed run (DIFFSPEC_SEED=random) should
 * therefore report a spurious statistical failure in at most 1 run in 1000 per backend.
 */
export const SUITE_FALSE_ALARM_BUDGET = 1e-3;

/** The false-alarm rates the groups spend, by check. */
export function falseAlarmSpending(groups: readonly SpecGroup[]): { check: string; falseAlarm: number }[] {
  return groups.flatMap((g) =>
    g.checks
      .filter((c) => c.kind === 'statistical')
      .map((c) => ({ check: `${g.id} > ${c.name}`, falseAlarm: c.falseAlarm ?? 0 })),
  );
}
