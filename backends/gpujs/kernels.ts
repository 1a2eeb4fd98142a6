import type { KernelOutput } from 'gpu.js';
import type { MaybePromise, ScaledTerm, TensorKernels } from '../../src/contract/kernels.js';
import { sizeOf, type Tensor } from '../../src/tensor.js';
import { createGpujsRunner, flatten, isPromise, whenReady } from './runner.js';
import { gpujsTrainingKernels } from './training.js';
import { type GpujsKernelOptions, type GpujsTensor, isDeviceResult } from './types.js';
import { type DeviceNoise, webgpuNoise } from './webgpuNoise.js';

/** Kernel sources as text, so no TypeScript or test transpiler rewrites them before GPU.js parses them. */
function linearSource(terms: number): string {
  const args = Array.from({ length: terms }, (_, k) => `x${k}, c${k}`).join(', ');
  const body = Array.from(
    { length: terms },
    (_, k) => `  s = s + c${k}[this.thread.y] * x${k}[this.thread.y][this.thread.x];`,
  ).join('\n');
  return `function (${args}, bias) {\n  let s = bias[this.thread.y];\n${body}\n  return s;\n}`;
}

const SOURCES = {
  copy: 'function (x) { return x[this.thread.y][this.thread.x]; }',
  fill: 'function (values) { return values[this.thread.y]; }',
  clip: 'function (x, lo, hi) { return Math.min(Math.max(x[this.thread.y][this.thread.x], lo), hi); }',
  exp: 'function (x, scale) { return Math.exp(scale * x[this.thread.y][this.thread.x]); }',
  multiply: 'function (a, b) { return a[this.thread.y][this.thread.x] * b[this.thread.y][this.thread.x]; }',
  slice: 'function (x, offset) { return x[this.thread.y][this.thread.x + offset]; }',
  // Same order as src/equations/loss.ts: the recursive sum of squared differences, then one division.
  meanSquaredError: `function (a, b, m) {
  let sum = 0;
  for (let i = 0; i < m; i++) {
    const d = a[this.thread.x][i] - b[this.thread.x][i];
    sum = sum + d * d;
  }
  return sum / m;
}`,
  sinusoidalEmbedding: `function (t, f, half) {
  const j = this.thread.x;
  if (j < half) return Math.cos(t[this.thread.y] * f[j]);
  if (j < half * 2) return Math.sin(t[this.thread.y] * f[j - half]);
  return 0;
}`,
};

/** TensorKernels on GPU.js, with its TrainingKernels (training.ts). */
export function createGpujsKernels(options: GpujsKernelOptions): TensorKernels<GpujsTensor> & { destroy(): void } {
  const runner = createGpujsRunner(options);
  const { mode, resident, library } = options;
  const { argument, run } = runner;
  const f32 = (values: ArrayLike<number>) => Float32Array.from(values);
  let noise: Promise<DeviceNoise> | undefined;

  /**
   * The shared generator's normals drawn on the WebGPU device (webgpuNoise.ts): its storage buffer wrapped as a
   * GPU.js pipeline result, copied into a buffer of GPU.js's own (whose readback goes through its kernel).
   */
  async function deviceNormals(shape: readonly number[], seed: number, stream: number): Promise<GpujsTensor> {
    noise ??= webgpuNoise(library);
    const context = await library.WebGPUContext.acquire();
    const rows = shape[0];
    const cols = sizeOf(shape) / rows;
    const buffer = (await noise).normalBuffer(seed, stream, rows * cols);
    const drawn = new library.WebGPUBufferResult({ buffer, output: [cols, rows], context });
    try {
      return await run('copy', SOURCES.copy, shape, [drawn]);
    } finally {
      drawn.delete();
    }
  }

  return {
    name: `gpujs:${mode}`,
    precision: 'float32',
    metadata: {
      engine: 'gpu.js',
      mode,
      storage: resident
        ? `device ${mode === 'webgpu' ? 'storage buffers' : 'textures'} between kernels`
        : 'host Float32Array between kernels',
    },

    upload(t: Tensor): MaybePromise<GpujsTensor> {
      const rows = t.shape[0];
      const host: GpujsTensor = { shape: t.shape, rows, cols: t.data.length / rows, value: f32(t.data) };
      return resident ? run('copy', SOURCES.copy, t.shape, [argument(host)]) : host;
    },

    download(h: GpujsTensor): MaybePromise<Tensor> {
      if (!isDeviceResult(h.value)) return { shape: h.shape, data: h.value };
      return whenReady(h.value.toArray() as MaybePromise<KernelOutput>, (values) => ({
        shape: h.shape,
        data: Float32Array.from(flatten(values as Float32Array | Float32Array[], h.rows, h.cols)),
      }));
    },

    dispose: runner.dispose,
    // Textures and buffers are device memory the garbage collector does not free: counted, so the
    // memory group checks every operation disposes its intermediates. Host arrays need no disposing.
    ...(resident ? { liveTensorCount: runner.liveDeviceResults } : {}),

    linear(terms: readonly ScaledTerm<GpujsTensor>[], bias?: Float64Array): MaybePromise<GpujsTensor> {
      const first = terms[0]?.x;
      if (!first) throw new Error('linear needs at least one term');
      const args: unknown[] = terms.flatMap(({ x, coef }) => [argument(x), f32(coef)]);
      args.push(bias ? f32(bias) : new Float32Array(first.rows));
      return run(`linear${terms.length}`, linearSource(terms.length), first.shape, args);
    },

    fill: (shape, values) => run('fill', SOURCES.fill, shape, [f32(values)]),
    clip: (x, lo, hi) => run('clip', SOURCES.clip, x.shape, [argument(x), lo, hi]),
    exp: (x, scale) => run('exp', SOURCES.exp, x.shape, [argument(x), scale]),
    multiply: (a, b) => run('multiply', SOURCES.multiply, a.shape, [argument(a), argument(b)]),

    splitChannels(x, c) {
      const [n, total, ...rest] = x.shape;
      const inner = sizeOf(rest);
      const first = run('slice', SOURCES.slice, [n, c, ...rest], [argument(x), 0]);
      const second = run('slice', SOURCES.slice, [n, total - c, ...rest], [argument(x), c * inner]);
      return isPromise(first) || isPromise(second) ? Promise.all([first, second]) : [first, second];
    },

    meanSquaredErrorPerSample(a, b) {
      return runner.rowValues('meanSquaredError', SOURCES.meanSquaredError, a.rows, a.cols, [
        argument(a),
        argument(b),
        a.cols,
      ]);
    },

    sinusoidalEmbedding(t, frequencies, dim) {
      // dim = 1 has no frequencies; GPU.js cannot bind an empty array, and the kernel then never reads it.
      const f = frequencies.length > 0 ? f32(frequencies) : new Float32Array(1);
      return run('sinusoidalEmbedding', SOURCES.sinusoidalEmbedding, [t.length, dim], [f32(t), f, frequencies.length]);
    },

    // Only WebGPU has the integer arithmetic Philox needs on the device (README "Noise on the device").
    ...(mode === 'webgpu' && resident ? { randomNormal: deviceNormals } : {}),

    training: gpujsTrainingKernels(runner),

    destroy: runner.destroy,
  };
}
