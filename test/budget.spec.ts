// Statistical discipline: the false-alarm rates of all statistical checks add up to no more than the suite budget.
import { describe, expect, it } from 'vitest';
import { SPEC_GROUPS } from '../spec/groups/index.js';
import { falseAlarmSpending, SUITE_FALSE_ALARM_BUDGET } from '../src/speckit/budget.js';

describe('false-alarm budget', () => {
  it(`statistical checks spend at most ${SUITE_FALSE_ALARM_BUDGET} per backend run`, () => {
    const spending = falseAlarmSpending(SPEC_GROUPS);
    expect(spending.length).toBeGreaterThan(0);
    for (const { check, falseAlarm } of spending) expect(falseAlarm, check).toBeGreaterThan(0);
    expect(spending.reduce((a, s) => a + s.falseAlarm, 0)).toBeLessThanOrEqual(SUITE_FALSE_ALARM_BUDGET);
  });
});
