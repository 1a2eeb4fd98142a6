// The GPU.js backends' kernels against the float64 reference, operation by operation, on shapes that change
// from call to call, with the tolerances of src/speckit/tolerance.ts. The spec groups cover the same
// operations property by property; this file pins the backend-specific failure modes: a kernel compiled for
// one shape reading another shape's elements, a device texture overwritten by a later kernel, splitChannels
// and the per-sample loss indexing rows of a different width. Two real GPU.js misconfigurations prove that
// the comparison catches them.
import type { GPU } from 'gpu.js';
import { describe, expect, it } from 'vitest';
import '../backends/index.js';
import { loadGpujs, openGpujsKernels } from '../backends/gpujs/index.js';
import { createGpujsKernels } from '../backends/gpujs/kernels.js';
import type { GpujsMode } from '../backends/gpujs/types.js';
import { webgpuNoise } from '../backends/gpujs/webgpuNoise.js';
import { measureAccuracy, measureGpujsAccuracy } from '../bench/gpujs-accuracy.js';
import { ARCHITECTURE_GEOMETRIES, measureArchitectureAccuracy } from '../bench/gpujs-architecture-accuracy.js';
import { referencePredict } from '../spec/support/reference-models.js';
import { resolveBackend } from '../src/contract/registry.js';
import { gelu, geluDerivative } from '../src/equations/activation.js';
import { initialWeights } from '../src/models/init.js';
import { architectureOf, type ModelSpec } from '../src/models/spec.js';
import { composeBackend } from '../src/pipeline/compose.js';
import { gaussianTensor, gaussianValues } from '../src/random/gaussian.js';
import { philox4x32, philoxKey } from '../src/random/philox.js';
import { DDPM_SCHEDULE } from '../src/schedule/spec.js';
import { scheduleTables } from '../src/schedule/tables.js';
import { selectedBackendNames } from '../src/speckit/selection.js';
import { ELEMENTARY_FUNCTION_ROUNDINGS, networkRoundings, relativeBound } from '../src/speckit/tolerance.js';

const MODES: GpujsMode[] = ['webgpu', 'headlessgl', 'webasm', 'cpu'];
// 8x3x64x64 passes PER_SHAPE_KERNEL_ELEMENTS: the large case
// runs kernels compiled for its shape, the rest resizable ones.
const LARGE = [8, 3, 64, 64];

/** Why `name` cannot run in this test run, if it cannot. */
async function unavailable(name: string): Promise<string | undefined> {
  if (!selectedBackendNames().includes(name)) return `${name} is not selected (DIFFSPEC_BACKENDS)`;
  const r = await resolveBackend(name);
  if ('skipped' in r) return `backend unavailable: ${r.skipped}`;
  await r.backend.dispose?.();
  return undefined;
}

/** Every contract operation's accuracy rows on the LARGE shape. */
const contractAccuracy = (kernels: ReturnType<typeof createGpujsKernels>) =>
  measureAccuracy(composeBackend(kernels), LARGE);

/** GPU.js kernels whose every kernel is created with `override` merged into its settings, measured by `measure`. */
async function misconfigured<R>(
  mode: GpujsMode,
  override: Record<string, unknown>,
  measure: (kernels: ReturnType<typeof createGpujsKernels>) => Promise<R>,
): Promise<R> {
  const library = await loadGpujs();
  const gpu = new library.GPU({ mode });
  const createKernel = gpu.createKernel.bind(gpu) as (source: string, settings: object) => unknown;
  gpu.createKernel = ((source: string, settings: object) =>
    createKernel(source, { ...settings, ...override })) as GPU['createKernel'];
  const kernels = createGpujsKernels({ library, gpu, mode, resident: mode === 'headlessgl' });
  try {
    return await measure(kernels);
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

  // GPU.js dispatches a 2-D WebGPU kernel in 8 x 8 workgroups; unfolded, a row (batch item) of 3 x 512 x 512 =
  // 786432 elements needs 98304 workgroups along x, over lavapipe's 65535 (webgpuDispatch.ts folds them along z).
  it('gpujs:webgpu: q_sample on 2x3x512x512, rows longer than one dispatch dimension allows', async (ctx) => {
    const reason = await unavailable('gpujs:webgpu');
    if (reason) return ctx.skip(reason);
    const rows = await measureGpujsAccuracy(['webgpu'], [2, 3, 512, 512]);
    expect(rows.map((row) => row.operation)).toContain('qSample 2x3x512x512');
    expect(rows.filter((row) => !(row.errorToBound <= 1))).toEqual([]);
  });

  // The shared generator (README "Conventions") in WGSL: the Philox words equal the host's bit for bit; the normals
  // are float32 evaluations of the host's float64 Box-Muller. Their error, per pair with r = sqrt(-2 ln u1):
  // theta = 2 pi u2 in [-pi, pi) carries about 3 roundings of |theta| <= pi (3 pi u of angle, times r), r about
  // 3 roundings (u1 or 1 - u1 from two float32 products, ln or its series, sqrt), cos/sin and the product a few
  // more: |z - z_host| <= 16 u max(1, r), u = 2^-24 (measured worst 7.2 u on lavapipe over 8e5 values). WGSL itself
  // promises cos/sin only to 2^-11 absolute; a driver that uses that latitude fails here, as it should.
  it("gpujs:webgpu: Philox4x32-10 on the device: the host generator's words, its normals in float32", async (ctx) => {
    const reason = await unavailable('gpujs:webgpu');
    if (reason) return ctx.skip(reason);
    const { close } = await openGpujsKernels('webgpu');
    try {
      const noise = await webgpuNoise(await loadGpujs());
      const words = new Uint32Array(4);
      for (const [seed, stream] of [
        [42, 3],
        [0, 0],
        [2 ** 32 + 5, 7],
        [2 ** 53 - 1, 2 ** 32 - 1],
      ]) {
        const blocks = 3001;
        const device = await noise.words(seed, stream, blocks);
        const [k0, k1] = philoxKey(seed);
        const host = new Uint32Array(4 * blocks);
        for (let b = 0; b < blocks; b++) {
          philox4x32(b, stream, 0, 0, k0, k1, words);
          host.set(words, 4 * b);
        }
        expect(device).toEqual(host);
        const count = 100_001;
        const z = await noise.normals(seed, stream, count);
        const expected = gaussianValues(seed, stream, count);
        const r = (i: number) => Math.hypot(expected[i - (i % 2)], expected[i - (i % 2) + 1] ?? 0);
        expect(worstErrorToBound(z, expected, (i) => 16 * 2 ** -24 * Math.max(1, r(i)))).toBeLessThanOrEqual(1);
      }
    } finally {
      await close();
    }
  });

  it("gpujs:webgpu: randomNormal is the device generator's normals, bit for bit, kept on the device", async (ctx) => {
    const reason = await unavailable('gpujs:webgpu');
    if (reason) return ctx.skip(reason);
    const { kernels, close } = await openGpujsKernels('webgpu');
    try {
      const noise = await webgpuNoise(await loadGpujs());
      // A small shape (the resizable copy kernel) and one of 98304 elements (the copy kernel compiled for it).
      for (const [shape, seed, stream] of [
        [[3, 5, 7], 42, 3],
        [[2, 3, 128, 128], 2 ** 32 + 5, 2 ** 32 - 1],
        [[1, 9], 0, 0],
      ] as const) {
        const before = kernels.liveTensorCount!();
        const z = await kernels.randomNormal!(shape, seed, stream);
        const values = (await kernels.download(z)).data;
        kernels.dispose(z);
        expect(kernels.liveTensorCount!()).toBe(before);
        expect(values).toEqual(await noise.normals(seed, stream, values.length));
      }
    } finally {
      await close();
    }
  });

  it('catches resizable kernels on the cpu engine, which index a 2-D input with the output width', async (ctx) => {
    const reason = await unavailable('gpujs:cpu');
    if (reason) return ctx.skip(reason);
    const failing = (
      await misconfigured('cpu', { dynamicOutput: true, dynamicArguments: true }, contractAccuracy)
    ).filter((row) => row.errorToBound > 1);
    expect(new Set(failing.map((row) => row.operation))).toEqual(
      new Set(['pMeanVariance eps learned_range', 'ddpmStep learned_range', 'lossSimple']),
    );
  });

  it('catches mutable pipeline kernels on headlessgl, whose next call overwrites the texture they returned', async (ctx) => {
    const reason = await unavailable('gpujs:headlessgl');
    if (reason) return ctx.skip(reason);
    // Caught either as values beyond tolerance or as reading a texture that a dispose already deleted.
    const caught = await misconfigured('headlessgl', { immutable: false }, contractAccuracy).then(
      (rows) => rows.filter((row) => row.errorToBound > 1).length > 0,
      () => true,
    );
    expect(caught).toBe(true);
  });
});

/** Worst |actual - expected| / bound over the elements; bound[i] is the tolerance of element i. */
function worstErrorToBound(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  bound: (i: number) => number,
): number {
  let worst = 0;
  for (let i = 0; i < expected.length; i++) worst = Math.max(worst, Math.abs(actual[i] - expected[i]) / bound(i));
  return Number.isNaN(worst) ? Infinity : worst;
}

// The layer kernels of U-Nets, attention and DiT against the float64 reference kernels, each on shapes that change
// from call to call on one set of compiled kernels, 2x8x64x64 among them (outputs of 65536 elements and more reach the
// kernels compiled per shape); every case's rounding bound is stated in bench/gpujs-architecture-accuracy.ts.
describe('gpujs architecture kernels', () => {
  for (const mode of MODES) {
    const name = `gpujs:${mode}`;
    it(`${name}: every architecture kernel within its float32 bound of the float64 reference, on changing shapes`, async (ctx) => {
      const reason = await unavailable(name);
      if (reason) return ctx.skip(reason);
      const { kernels, close } = await openGpujsKernels(mode);
      try {
        const rows = await measureArchitectureAccuracy(kernels);
        const kinds = new Set(rows.map((row) => row.operation.split(' ')[0]));
        expect(kinds).toEqual(new Set(Object.keys(kernels.training!.architecture!)));
        expect(rows.filter((row) => row.operation.includes('2x8x64x64')).length).toBeGreaterThan(30);
        expect(rows.filter((row) => !(row.errorToBound <= 1))).toEqual([]);
      } finally {
        await close();
      }
    });
  }

  it('catches resizable architecture kernels on the cpu engine, which index a 2-D input with the output width', async (ctx) => {
    const reason = await unavailable('gpujs:cpu');
    if (reason) return ctx.skip(reason);
    const rows = await misconfigured('cpu', { dynamicOutput: true, dynamicArguments: true }, (kernels) =>
      measureArchitectureAccuracy(kernels, ARCHITECTURE_GEOMETRIES),
    );
    const failing = new Set(rows.filter((row) => !(row.errorToBound <= 1)).map((row) => row.operation.split(' ')[0]));
    // Every kernel that reads an input of another width than its output; the element-wise SiLU kernels read at the
    // output's own index, and reshape is no kernel on a host-array engine.
    expect(failing).toEqual(
      new Set([
        'transpose',
        'broadcastTo',
        'sumTo',
        'batchMatMul',
        'softmax',
        'softmaxBackward',
        'normalize',
        'normalizeBackward',
        'stridedConv2d',
        'stridedConv2dBackward',
      ]),
    );
  });
});

describe('gpujs training kernels', () => {
  // Hidden activations of 2x64x32x32 pass PER_SHAPE_KERNEL_ELEMENTS: the training group's small models only reach
  // the resizable kernels, these reach the ones compiled per shape.
  const model: ModelSpec = { architecture: 'simple-conv', channels: 3, height: 32, width: 32 };
  const fanIns = architectureOf(model)
    .parameters(model)
    .filter((p) => p.name.endsWith('weight'))
    .map((p) => p.fanIn);
  const bound = relativeBound(networkRoundings(fanIns, 0, 'float32'), 'float32');

  for (const mode of MODES) {
    const name = `gpujs:${mode}`;
    it(`${name}: simple-conv on 2x3x32x32 - forward within its float32 tolerance of the float64 model, gradients of the reference's`, async (ctx) => {
      const reason = await unavailable(name);
      if (reason) return ctx.skip(reason);
      const [gpujs, cpu] = await Promise.all([resolveBackend(name), resolveBackend('cpu')]);
      if (!('backend' in gpujs) || !('backend' in cpu)) throw new Error('backends did not resolve');
      try {
        const weights = initialWeights(model, 31);
        const x = gaussianTensor([2, 3, 32, 32], 31, 1);
        const t = Int32Array.of(3, 700);
        const schedule = scheduleTables(DDPM_SCHEDULE);
        const out = await gpujs.backend.training!.predict({ model, weights, x, t, T: schedule.T });
        const expected = referencePredict(model, weights, x, t, schedule.T);
        expect(worstErrorToBound(out.data, expected.value, (i) => bound * expected.scale[i])).toBeLessThanOrEqual(1);

        const args = { model, weights, schedule, x0: x, t, noise: gaussianTensor(x.shape, 31, 2) };
        const [actual, reference] = await Promise.all([
          gpujs.backend.training!.lossAndGradients(args),
          cpu.backend.training!.lossAndGradients(args),
        ]);
        // As the training group's gradient check: 2 network passes of roundings, relative to the gradient's norm.
        const ratios = Object.entries(reference.gradients).map(([parameter, g]) => {
          const norm = Math.hypot(...g.data);
          return [
            parameter,
            worstErrorToBound(actual.gradients[parameter].data, g.data, () => 2 * bound * norm),
          ] as const;
        });
        expect(ratios.filter(([, ratio]) => !(ratio <= 1))).toEqual([]);
      } finally {
        await gpujs.backend.dispose?.();
        await cpu.backend.dispose?.();
      }
    });

    it(`${name}: GELU and its derivative stay finite and within tolerance where tanh saturates (|x| up to 1e4)`, async (ctx) => {
      const reason = await unavailable(name);
      if (reason) return ctx.skip(reason);
      const { kernels, close } = await openGpujsKernels(mode);
      try {
        const values = Float64Array.from(
          { length: 64 },
          (_, i) => Math.sign(i - 31.5) * 10 ** (-3 + (7 * (i % 32)) / 31),
        );
        const x = await kernels.upload({ shape: [1, values.length], data: values });
        const ones = await kernels.upload({ shape: [1, values.length], data: new Float64Array(values.length).fill(1) });
        const y = (await kernels.download(await kernels.training!.activation('gelu', x))).data;
        const dy = (await kernels.download(await kernels.training!.activationBackward('gelu', x, ones))).data;
        // A few roundings around one elementary function, on the
        // magnitudes |x| (GELU) and 1 + |x| (a + 3b x^2) (its derivative).
        const roundings = ELEMENTARY_FUNCTION_ROUNDINGS.float32 + 12;
        const u = relativeBound(roundings, 'float32');
        const inner = (v: number) => Math.sqrt(2 / Math.PI) * (1 + 3 * 0.044715 * v * v);
        expect(worstErrorToBound(y, Array.from(values, gelu), (i) => u * Math.abs(values[i]))).toBeLessThanOrEqual(1);
        expect(
          worstErrorToBound(
            dy,
            Array.from(values, geluDerivative),
            (i) => u * (1 + Math.abs(values[i]) * inner(values[i])),
          ),
        ).toBeLessThanOrEqual(1);
      } finally {
        await close();
      }
    });
  }

  it("GPU.js's own GLSL tanh is NaN where exp(2z) overflows, which is why the GELU kernels write their own", async (ctx) => {
    const reason = await unavailable('gpujs:headlessgl');
    if (reason) return ctx.skip(reason);
    const library = await loadGpujs();
    const gpu = new library.GPU({ mode: 'headlessgl' });
    try {
      const tanh = gpu.createKernel('function (z) { return Math.tanh(z[this.thread.x]); }', {
        output: [2],
        precision: 'single',
      });
      expect(Array.from(tanh(Float32Array.of(1, 50)) as Float32Array)).toEqual([expect.closeTo(Math.tanh(1), 6), NaN]);
    } finally {
      await gpu.destroy();
    }
  });
});
