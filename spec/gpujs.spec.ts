// The GPU.js backends' kernels against the float64 reference, operation by operation, on shapes that change
// from call to call (each kernel is compiled once and resized), with the tolerances of src/speckit/tolerance.ts.
// The spec groups cover the same operations property by property; this file pins the backend-specific
// failure modes: a kernel cached for one shape reading another shape's elements, a device texture
// overwritten by a later kernel, splitChannels and the per-sample loss indexing rows of a different width.
import { describe, expect, it } from 'vitest';
import '../backends/index.js';
import type { GpujsMode } from '../backends/gpujs/kernels.js';
import { measureGpujsAccuracy } from '../bench/gpujs-accuracy.js';
import { resolveBackend } from '../src/contract/registry.js';
import { selectedBackendNames } from '../src/speckit/selection.js';

const MODES: GpujsMode[] = ['webgpu', 'headlessgl', 'webasm', 'cpu'];

describe('gpujs kernels', () => {
  for (const mode of MODES) {
    const name = `gpujs:${mode}`;
    it(`${name}: every contract operation is within its float32 tolerance of the float64 reference`, async (ctx) => {
      if (!selectedBackendNames().includes(name)) return ctx.skip(`${name} is not selected (DIFFSPEC_BACKENDS)`);
      const r = await resolveBackend(name);
      if ('skipped' in r) return ctx.skip(`backend unavailable: ${r.skipped}`);
      await r.backend.dispose?.();
      // 8x3x64x64 passes PER_SHAPE_KERNEL_ELEMENTS: the large case runs kernels compiled for its shape, the rest resizable ones.
      const rows = await measureGpujsAccuracy([mode], [8, 3, 64, 64]);
      expect(rows.length).toBeGreaterThan(30);
      expect(rows.filter((row) => !(row.errorToBound <= 1))).toEqual([]);
    });
  }
});
