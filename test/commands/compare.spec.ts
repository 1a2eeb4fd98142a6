// diffspec compare: the same inputs on each backend; the reference agrees with itself exactly, the float32
// example backend within float32 rounding, and an operation a backend lacks is marked, not failed.
import { describe, expect, it } from 'vitest';
import { cpuBackend } from '../../backends/cpu/index.js';
import { compareBackends, compareMarkdown } from '../../src/compare/compare.js';
import { compareInputs } from '../../src/compare/operations.js';
// @ts-expect-error: a plain JavaScript module without type declarations.
import { backend as plainJs } from '../../examples/plain-js-backend/backend.mjs';

describe('diffspec compare', () => {
  it('measures each backend against the float64 reference on identical inputs', async () => {
    const inputs = compareInputs(7, 2, 4);
    const cells = await compareBackends(cpuBackend, [cpuBackend, plainJs], inputs, 1);
    const cell = (b: string, op: string) => cells.find((c) => c.backend === b && c.operation === op)!;
    for (const c of cells.filter((x) => x.backend === 'cpu')) expect(c).toMatchObject({ maxAbsError: 0, maxRelError: 0 });
    const q = cell('plain-js', 'qSample');
    expect('maxAbsError' in q && q.maxAbsError > 0 && q.maxAbsError < 1e-5).toBe(true);
    expect(cell('plain-js', 'ddpmStep')).toMatchObject({ unsupported: 'lacks reverse' });
    const table = compareMarkdown(cells, inputs, 1);
    expect(table).toMatch(/\| operation \| cpu \| plain-js \|/);
    expect(table.split('\n').filter((l) => l.startsWith('| ') && !l.startsWith('| operation') && !l.startsWith('| ---'))).toHaveLength(cells.length / 2);
  });
});
