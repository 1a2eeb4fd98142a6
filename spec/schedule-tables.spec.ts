// tablesFromBetas is public (src/index.ts): betas computed elsewhere bypass parseScheduleSpec, so the tables check
// their input themselves and name the offending entry.
import { describe, expect, it } from 'vitest';
import { DiffspecInputError } from '../src/errors.js';
import { parseScheduleSpec } from '../src/schedule/spec.js';
import { tablesFromBetas } from '../src/schedule/tables.js';

describe('tablesFromBetas', () => {
  it.each([
    [[], 'schedule.betas', 'needs at least one beta'],
    [[0.1, NaN], 'schedule.betas[1]', 'must lie in (0, 1), got NaN'],
    [[1, 0.1], 'schedule.betas[0]', 'must lie in (0, 1), got 1'],
    [[0.1, 0], 'schedule.betas[1]', 'must lie in (0, 1), got 0'],
    [new Array(60).fill(1 - 2 ** -20), 'schedule', 'alpha-bar_T = prod (1 - beta_t) = 0 is below 2^-1022'],
  ])('rejects %j naming %s', (betas, field, detail) => {
    const error = (() => {
      try {
        tablesFromBetas(betas);
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(DiffspecInputError);
    expect((error as DiffspecInputError).field).toBe(field);
    expect((error as DiffspecInputError).message).toContain(detail);
  });
});

describe('parseScheduleSpec', () => {
  // JSON.stringify prints NaN and Infinity as null, which would tell the user the field was missing.
  it.each([
    [
      { kind: 'linear', T: 10, betaStart: Number.NaN, betaEnd: 0.02 },
      'schedule.betaStart: must be a finite number, got NaN',
    ],
    [{ kind: 'cosine', T: Number.POSITIVE_INFINITY }, 'schedule.T: must be an integer >= 1, got Infinity'],
    [{ kind: 'linear', T: 10, betaStart: 1e-4 }, 'schedule.betaEnd: must be a finite number, got undefined'],
  ])('shows the offending value of %j as it is', (raw, message) => {
    expect(() => parseScheduleSpec(raw)).toThrow(message);
  });
});
