// The nightly job's statistics: the Clopper-Pearson bound against closed forms and published values, the
// finding rule, and the table it writes (from a real fresh-seed run of one statistical check on cpu).
import { describe, expect, it } from 'vitest';
import { cpuBackend } from '../backends/cpu/index.js';
import { noiseGroup } from '../spec/groups/noise.js';
import { emptyTally, nightlyRun, statisticalChecks } from '../src/nightly/runs.js';
import { exceedsStatedRate, nightlyMarkdown } from '../src/nightly/table.js';
import { binomialCdf, clopperPearsonUpper } from '../src/stats/binomialBounds.js';

describe('the one-sided 95% Clopper-Pearson upper bound', () => {
  it('is 1 - 0.05^(1/n) with no failures (the "rule of three" ~ 3/n)', () => {
    for (const n of [1, 20, 200, 3000]) expect(clopperPearsonUpper(0, n)).toBeCloseTo(1 - 0.05 ** (1 / n), 12);
    expect(clopperPearsonUpper(0, 3000)).toBeGreaterThan((3 / 3000) * 0.99);
  });

  it('matches the exact binomial at the bound, and the tabulated 0.394 for 1 failure in 10', () => {
    expect(clopperPearsonUpper(1, 10)).toBeCloseTo(0.3942, 4);
    const p = clopperPearsonUpper(3, 200);
    expect(binomialCdf(3, 200, p)).toBeCloseTo(0.05, 10);
    expect(clopperPearsonUpper(5, 5)).toBe(1);
  });
});

describe('a finding', () => {
  it('is a check failing more often than its stated rate allows (binomial p < 0.05 / checks run)', () => {
    expect(exceedsStatedRate(0, 200, 1e-4, 1)).toBe(false);
    expect(exceedsStatedRate(1, 200, 1e-4, 1)).toBe(true); // P(X >= 1) = 0.02
    expect(exceedsStatedRate(1, 200, 1e-3, 1)).toBe(false); // P(X >= 1) = 0.18
    // Among 12 checks one failure in 200 runs at 1e-4 is expected about one nightly in five; two are not.
    expect(exceedsStatedRate(1, 200, 1e-4, 12)).toBe(false); // 0.02 > 0.05 / 12
    expect(exceedsStatedRate(2, 200, 1e-4, 12)).toBe(true); // P(X >= 2) = 2e-4
  });
});

describe('a nightly run', () => {
  it('runs the statistical checks with a fresh seed and tabulates them with their stated rates', async () => {
    const checks = statisticalChecks([noiseGroup]);
    expect(checks.map((c) => c.check.kind)).toEqual(checks.map(() => 'statistical'));
    const tally = emptyTally('cpu', checks);
    await nightlyRun(tally, cpuBackend, 'cpu', checks, 12345);
    expect(tally.runs).toBe(1);
    const stated = noiseGroup.checks.find((c) => c.kind === 'statistical')!.falseAlarm;
    expect(tally.checks[0]).toMatchObject({ runs: 1, failures: 0, falseAlarm: stated });
    const table = nightlyMarkdown([tally], 1e-3, new Date(0));
    expect(table).toContain('| cpu | 1 | 0 | 0 | 9.5e-1 | 1.0e-3 |');
    expect(table).toContain('## Failures (0)');
  }, 60_000);
});
