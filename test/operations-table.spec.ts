// The operation table (src/operations) is the one list of operations: every entry is reachable from the
// contract (the composed cpu reference has the method and the capability), from case files (its case name
// evaluates its example, printing exactly its result fields) and from `diffspec compare` (it has a feed, or
// says why not), and its validator names each argument it is given wrong.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cpuBackend } from '../backends/cpu/index.js';
import { cpuKernels } from '../backends/cpu/kernels.js';
import { CASE_OPS, evaluateCase } from '../src/cases/evaluate.js';
import { compareBackends } from '../src/compare/compare.js';
import { compareInputs, compareSchedule } from '../src/compare/operations.js';
import type { DiffusionBackend } from '../src/contract/backend.js';
import { DEFAULT_CONVENTIONS } from '../src/conventions/profile.js';
import { DiffspecInputError } from '../src/errors.js';
import { ALL_OPERATIONS } from '../src/operations/index.js';
import type { FieldKind } from '../src/operations/operation.js';
import { guardOutputs } from '../src/speckit/guard.js';
import { tensor } from '../src/tensor.js';

const CASES = join(import.meta.dirname, '..', 'examples', 'cases');
const table = ALL_OPERATIONS.map((op) => [op.method, op] as const);
/** Fields a validator need not name: the schedule tables come from the backend, the model is called as given. */
const UNCHECKED: readonly FieldKind[] = [
  'schedule',
  'model',
  'optional tensor',
  'optional integers',
  'optional number',
  'reverse options',
  'reverse options with eta',
];

describe('the operation table', () => {
  it('names each method, case and compare row once', () => {
    const unique = (xs: string[]) => expect(new Set(xs).size).toBe(xs.length);
    unique(ALL_OPERATIONS.map((op) => op.method));
    unique(ALL_OPERATIONS.flatMap((op) => (typeof op.caseName === 'string' ? [op.caseName] : [])));
    unique(ALL_OPERATIONS.flatMap((op) => ('label' in op.compare ? [op.compare.label] : [])));
  });

  it.each(table)('%s is a method of the composed reference, under a capability it declares', (_name, op) => {
    expect(typeof (cpuBackend as unknown as Record<string, unknown>)[op.method]).toBe('function');
    expect(cpuBackend.capabilities).toContain(op.capability);
    expect(op.results.length).toBeGreaterThan(0);
  });

  it.each(table)('%s evaluates from its example case file, or says why it cannot', async (_name, op) => {
    if (typeof op.caseName !== 'string') {
      expect(op.caseName.unsupported).toMatch(/\w+ \w+ \w+/);
      return;
    }
    expect(CASE_OPS[op.caseName]).toBe(op);
    const example = JSON.parse(readFileSync(join(CASES, `${op.caseName}.json`), 'utf8'));
    const outputs = await evaluateCase(cpuBackend, example);
    expect(Object.keys(outputs).sort()).toEqual([...op.results].sort());
  });

  it.each(table)('%s has a compare feed that compares one of its results, or says why not', (_name, op) => {
    if ('unsupported' in op.compare) expect(op.compare.unsupported).toMatch(/\w+ \w+ \w+/);
    else if (op.compare.output !== undefined) expect(op.results).toContain(op.compare.output);
    else expect(op.results).toHaveLength(1);
  });

  it('compare runs every feed, and the reference agrees with itself exactly', async () => {
    const cells = await compareBackends(cpuKernels, [cpuBackend], compareInputs({ seed: 3, shape: [1, 3, 2, 2] }), 1);
    const fed = ALL_OPERATIONS.flatMap((op) => ('label' in op.compare ? [op.compare.label] : []));
    expect(cells.map((c) => c.operation)).toEqual(fed);
    for (const c of cells) expect(c).toMatchObject({ maxAbsError: 0 });
  });

  it.each(table)('%s: its validator names each required argument that is missing', async (_name, op) => {
    if ('unsupported' in op.compare) return;
    const schedule = await cpuBackend.schedule(compareSchedule(1000));
    const args = op.compare.args(schedule, compareInputs({ seed: 3, shape: [2, 3, 2, 2] })) as Record<string, unknown>;
    for (const [field, kind] of Object.entries(op.fields as Record<string, FieldKind>)) {
      if (UNCHECKED.includes(kind)) continue;
      let error: unknown;
      try {
        op.validate({ ...args, [field]: undefined }, DEFAULT_CONVENTIONS);
      } catch (e) {
        error = e;
      }
      expect(error, `${op.method} without ${field}`).toBeInstanceOf(DiffspecInputError);
      expect((error as DiffspecInputError).field.startsWith(field)).toBe(true);
    }
  });

  it.each(table)('%s: the output guard checks what it returns', async (_name, op) => {
    const nan = tensor([1], [NaN]);
    const broken = { ...cpuBackend, [op.method]: async () => nan } as DiffusionBackend;
    const method = guardOutputs(broken)[op.method as keyof DiffusionBackend] as () => Promise<unknown>;
    await expect(method()).rejects.toThrow(`cpu.${op.method}: output holds NaN`);
  });
});
