// Every field an operation returns is part of the contract, so some spec check must read it (issue 11, class 3): a
// backend can get a returned field wrong while the suite stays green only if no check looks at it. Each check lists
// the fields it reads (`reads`, "<method>.<field>"); this walks every operation's result fields, the schedule's from
// the tables themselves, and fails on a field no check reads, or on a `reads` entry that names no field.
import { describe, expect, it } from 'vitest';
import { SPEC_GROUPS } from '../spec/groups/index.js';
import { ALL_OPERATIONS } from '../src/operations/index.js';
import { DDPM_SCHEDULE } from '../src/schedule/spec.js';
import { scheduleTables } from '../src/schedule/tables.js';

/** "<method>.<field>" for every field of every operation's result. */
function resultFields(): string[] {
  return ALL_OPERATIONS.flatMap((op) => {
    // The schedule's result is the whole ScheduleTables record: walk the real object, not a declared subset.
    const fields =
      op.method === 'schedule' ? Object.keys(scheduleTables(DDPM_SCHEDULE)).filter((f) => f !== 'T') : op.results;
    return fields.map((f) => `${op.method}.${f}`);
  });
}

const declaredReads = new Set(SPEC_GROUPS.flatMap((g) => g.checks.flatMap((c) => c.reads ?? [])));

describe('every returned field is read by some spec check', () => {
  it('each field of each operation result is named in the reads of a check', () => {
    expect(resultFields().filter((f) => !declaredReads.has(f))).toEqual([]);
  });

  it('each reads entry names a field that an operation returns', () => {
    const fields = new Set(resultFields());
    expect([...declaredReads].filter((f) => !fields.has(f))).toEqual([]);
  });
});
