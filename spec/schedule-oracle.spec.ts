// The schedules group compares src/schedule with src/schedule/oracle.ts. That comparison proves something only while
// the oracle computes every table itself: if it imported the float64 code (as it once took the sigmoid and quadratic
// betas from it), a wrong formula there would be copied into the expected values and pass.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { oracleTables } from '../src/schedule/oracle.js';
import type { ScheduleSpec } from '../src/schedule/spec.js';

describe('the schedule oracle stays independent of the code it checks', () => {
  it('imports only decimal.js and the schedule descriptions (types and defaults)', () => {
    const source = readFileSync(new URL('../src/schedule/oracle.ts', import.meta.url), 'utf8');
    const imports = [...source.matchAll(/^import\s[^;]*?from\s+'([^']+)'/gms)].map((m) => m[1]);
    expect(imports.sort()).toEqual(['./spec.js', 'decimal.js']);
  });

  it('computes tables for every schedule kind from the description alone', () => {
    const kinds: ScheduleSpec[] = [
      { kind: 'linear', T: 3, betaStart: 0.1, betaEnd: 0.3 },
      { kind: 'quadratic', T: 3, betaStart: 0.01, betaEnd: 0.09 },
      { kind: 'cosine', T: 3, s: 0, maxBeta: 0.5 },
      { kind: 'sigmoid', T: 3, betaStart: 0.1, betaEnd: 0.3, sigmoidStart: -1, sigmoidEnd: 1 },
      { betas: [0.25, 0.5] },
    ];
    // By hand: linspace(0.1, 0.3, 3); linspace(0.1, 0.3, 3)^2; cos^2 at u = 0, 1/3, 2/3, 1 is 1, 3/4, 1/4, 0, so
    // 1 - f(t)/f(t-1) = 1/4, 2/3 -> 0.5 (clipped), 1 -> 0.5; sigmoid(-1, 0, 1) 0.2 + 0.1; the betas themselves.
    const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));
    const expected = [
      [0.1, 0.2, 0.3],
      [0.01, 0.04, 0.09],
      [0.25, 0.5, 0.5],
      [-1, 0, 1].map((x) => 0.2 * sigmoid(x) + 0.1),
      [0.25, 0.5],
    ];
    kinds.forEach((spec, k) => {
      const betas = Array.from(oracleTables(spec).betas.subarray(1));
      betas.forEach((b, i) => expect(b).toBeCloseTo(expected[k][i], 14));
    });
  });
});
