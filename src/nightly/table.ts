import { binomialTailAtLeast, clopperPearsonUpper } from '../stats/binomialBounds.js';
import type { NightlyTally } from './runs.js';

/**
 * Failures this unlikely under a check's stated rate make it a finding: the check or its stated rate is wrong. The
 * level is family-wise over a backend's checks (Bonferroni): at 200 runs a single failure of any check stated at
 * 1e-4 has p = 0.02, so with a dozen such checks one would be flagged in about one clean nightly in five.
 */
const FINDING_P = 0.05;

const rate = (x: number) => (x === 0 ? '0' : x.toExponential(1));
const cell = (s: string) => s.replace(/\|/g, '\\|');
const row = (cells: readonly (string | number)[]) => `| ${cells.join(' | ')} |`;

/**
 * Whether a check failed more often than its stated false-alarm rate allows: one-sided binomial p < 0.05 / m, m the
 * number of checks of its backend that ran.
 */
export function exceedsStatedRate(failures: number, runs: number, falseAlarm: number, checksRun: number): boolean {
  return failures > 0 && binomialTailAtLeast(failures, runs, falseAlarm) < FINDING_P / Math.max(1, checksRun);
}

/** The checks of a backend's tally that failed more often than stated. */
export function findings(t: NightlyTally): NightlyTally['checks'] {
  const checksRun = t.checks.filter((c) => c.runs > 0).length;
  return t.checks.filter((c) => exceedsStatedRate(c.failures, c.runs, c.falseAlarm, checksRun));
}

/**
 * The nightly table in markdown: per backend, the runs, the runs with any statistical failure (observed suite
 * false-alarm rate and its one-sided 95% Clopper-Pearson upper bound) against the budget; per check its runs,
 * failures, observed rate and upper bound against its stated rate; then every failure's seeds and replay command.
 */
export function nightlyMarkdown(tallies: readonly NightlyTally[], budget: number, started: Date): string {
  const lines = ['# diffspec nightly: fresh-seed runs of the statistical checks', ''];
  lines.push(`Started ${started.toISOString()}.`, '');
  const suiteHeader = ['backend', 'runs', 'runs with a failure', 'observed rate', '95% upper bound', 'budget'];
  suiteHeader.push('mean s per run');
  lines.push(row(suiteHeader), row(suiteHeader.map(() => '---')));
  for (const t of tallies) {
    const seconds = t.checks.reduce((s, c) => s + c.totalMs, 0) / 1000 / Math.max(t.runs, 1);
    const observed = rate(t.failedRuns / Math.max(t.runs, 1));
    const upper = rate(clopperPearsonUpper(t.failedRuns, t.runs));
    lines.push(row([t.backend, t.runs, t.failedRuns, observed, upper, rate(budget), seconds.toFixed(2)]));
  }
  const checkHeader = ['backend', 'check', 'runs', 'failures', 'observed rate', '95% upper bound', 'stated rate'];
  checkHeader.push('finding');
  lines.push('', row(checkHeader), row(checkHeader.map(() => '---')));
  for (const t of tallies) {
    const found = findings(t);
    for (const c of t.checks) {
      if (c.runs === 0) {
        lines.push(row([t.backend, cell(c.check), `0 (skipped ${c.skipped})`, '', '', '', rate(c.falseAlarm), '']));
        continue;
      }
      const finding = found.includes(c) ? '**fails more often than stated**' : '';
      const upper = rate(clopperPearsonUpper(c.failures, c.runs));
      const observed = rate(c.failures / c.runs);
      lines.push(row([t.backend, cell(c.check), c.runs, c.failures, observed, upper, rate(c.falseAlarm), finding]));
    }
  }
  const failures = tallies.flatMap((t) => t.failures);
  lines.push('', `## Failures (${failures.length})`, '');
  for (const f of failures) {
    const seeds = `suite seed ${f.suiteSeed}, check seed ${f.checkSeed}`;
    lines.push(`- run ${f.run}, **${f.backend}** ${f.check}: ${seeds}: ${f.message.split('\n')[0]}`);
    lines.push(`  - replay: \`${f.replay}\``);
  }
  return `${lines.join('\n')}\n`;
}
