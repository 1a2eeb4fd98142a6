// The GPU.js backends' kernels against the float64 reference, operation by operation, on shapes that change
// from call to call, with the tolerances of src/speckit/tolerance.ts. The spec groups cover the same
// operations property by property; this file pins the backend-specific failure modes: a kernel compiled for
// one shape reading another shape's elements, a device texture overwritten by a later kernel, splitChannels
// and the per-sample loss indexing rows of a different width. Two real GPU.js misconfigurations prove that
// the comparison catches them.
import type { GPU } from 'gpu.js';
import { describe, expect, it } from 'vitest';
import '../backends/index.js';
import { loadGpujs } from '../backends/gpujs/index.js';
import { createGpujsKernels, type GpujsMode } from '../backends/gpujs/kernels.js';
import { measureAccuracy, measureGpujsAccuracy } from '../bench/gpujs-accuracy.js';
import { resolveBackend } from '../src/contract/registry.js';
import { composeBackend } from '../src/pipeline/compose.js';
import { selectedBackendNames } from '../src/speckit/selection.js';

const MODES: GpujsMode[] = ['webgpu', 'headlessgl', 'webasm', 'cpu'];
// 8x3x64x64 passes PER_SHAPE_KERNEL_ELEMENTS: the large case runs kernels compiled for its shape, the rest resizable ones.
const LARGE = [8, 3, 64, 64];

/** Why `name` cannot run in this test run, if it cannot. */
async function unavailable(name: string): Promise<string | undefined> {
  if (!selectedBackendNames().includes(name)) return `${name} is not selected (DIFFSPEC_BACKENDS)`;
  const r = await resolveBackend(name);
  if ('skipped' in r) return `backend unavailable: ${r.skipped}`;
  await r.backend.dispose?.();
  return undefined;
}

/** The accuracy rows of GPU.js kernels whose every kernel is created with `override` merged into its settings. */
async function misconfigured(mode: GpujsMode, override: Record<string, unknown>) {
  const library = await loadGpujs();
  const gpu = new library.GPU({ mode });
  const createKernel = gpu.createKernel.bind(gpu) as (source: string, settings: object) => unknown;
  gpu.createKernel = ((source: string, settings: object) => createKernel(source, { ...settings, ...override })) as GPU['createKernel'];
  const kernels = createGpujsKernels({ library, gpu, mode, resident: mode === 'headlessgl' });
  try {
    return await measureAccuracy(composeBackend(kernels), LARGE);
  } finally {
    kernels.destroy();
    await gpu.destroy();
  }
}

describe('gpujs kernels', () => {
  for (const mode of MODES) {
    const name = `gpujs:${mode}`;
    it(`${name}: every contract operation is within its float32 tolerance of the float64 reference`, async (ctx) => {
      const reason = await unavailable(name);
      if (reason) return ctx.skip(reason);
      const rows = await measureGpujsAccuracy([mode], LARGE);
      expect(rows.length).toBeGreaterThan(30);
      expect(rows.filter((row) => !(row.errorToBound <= 1))).toEqual([]);
    });
  }

  it('catches resizable kernels on the cpu engine, which index a 2-D input with the output width', async (ctx) => {
    const reason = await unavailable('gpujs:cpu');
    if (reason) return ctx.skip(reason);
    const failing = (await misconfigured('cpu', { dynamicOutput: true, dynamicArguments: true })).filter((row) => row.errorToBound > 1);
    expect(new Set(failing.map((row) => row.operation))).toEqual(new Set(['pMeanVariance eps learned_range', 'ddpmStep learned_range', 'lossSimple']));
  });

  it('catches mutable pipeline kernels on headlessgl, whose next call overwrites the texture they returned', async (ctx) => {
    const reason = await unavailable('gpujs:headlessgl');
    if (reason) return ctx.skip(reason);
    // Caught either as values beyond tolerance or as reading a texture that a dispose already deleted.
    const caught = await misconfigured('headlessgl', { immutable: false }).then(
      (rows) => rows.filter((row) => row.errorToBound > 1).length > 0,
      () => true,
    );
    expect(caught).toBe(true);
  });
});
