import { binomialTailAtLeast, clopperPearsonUpper } from '../stats/binomialBounds.js';
import type { NightlyTally } from './runs.js';

/** Failures this unlikely under a check's stated rate make it a finding: the check or its stated rate is wrong. */
const FINDING_P = 0.05;

const rate = (x: number) => (x === 0 ? '0' : x.toExponential(1));
const cell = (s: string) => s.replace(/\|/g, '\\|');
const row = (cells: readonly (string | number)[]) => `| ${cells.join(' | ')} |`;

/** Whether a check failed more often than its stated false-alarm rate allows (one-sided binomial, p < 0.05). */
export function exceedsStatedRate(failures: number, runs: number, falseAlarm: number): boolean {
  return failures > 0 && binomialTailAtLeast(failures, runs, falseAlarm) < FINDING_P;
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
    for (const c of t.checks) {
      if (c.runs === 0) {
        lines.push(row([t.backend, cell(c.check), `0 (skipped ${c.skipped})`, '', '', '', rate(c.falseAlarm), '']));
        continue;
      }
      const finding = exceedsStatedRate(c.failures, c.runs, c.falseAlarm) ? '**fails more often than stated**' : '';
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
