// The architectures benchmark's model choice (bench/models-matched.ts) and its report from stored rows
// (bench/models-report.ts): the matched parameter counts stay within the stated ratio, and rows not measured (as
// after `--timings-only` with no stored trained rows) are shown as such, not as numbers.
import { describe, expect, it } from 'vitest';
import { matchedModels, parameterCount } from '../bench/models-matched.js';
import { renderArchitecturesReport } from '../bench/models-report.js';

describe('architectures benchmark', () => {
  it('matches the parameter counts of the four architectures within 10%', () => {
    const models = matchedModels(16, 10);
    expect(models.map((m) => m.architecture)).toEqual(['simple-conv', 'unet', 'unet-attn', 'dit']);
    const counts = models.map(parameterCount);
    expect(Math.max(...counts) / Math.min(...counts)).toBeLessThanOrEqual(1.1);
  });

  it('reports rows without stored results as not measured', () => {
    const models = matchedModels(16, 10);
    const empty = Object.fromEntries(models.map((m) => [m.architecture, {}]));
    const report = renderArchitecturesReport(models, empty, {
      stepBatch: 16,
      throughput: { samples: 8, steps: 10 },
      scaling: { batch: 8, sweeps: 5, resolutions: [16, 32, 64], widths: [1, 2, 4] },
      heldOut: 256,
      boundImages: 32,
      guidance: 3,
      gridPerClass: 2,
    });
    expect(report).toContain('| held-out L_simple, unconditional (null class) | not measured | not measured |');
    expect(report).toContain('No trained rows are stored');
    expect(report).not.toContain('NaN');
  });
});
