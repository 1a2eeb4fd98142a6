import type { GPU, IKernelRunShortcut, Input, KernelOutput, Texture } from 'gpu.js';
import type { MaybePromise, ScaledTerm, TensorKernels } from '../../src/contract/kernels.js';
import { sizeOf, type Tensor } from '../../src/tensor.js';
import { gpujsTrainingKernels } from './training.js';

/** The GPU.js engines diffspec can drive from Node. */
export type GpujsMode = 'headlessgl' | 'webgpu' | 'webasm' | 'cpu';

/**
 * A tensor held by GPU.js as a [rows, cols] matrix, rows = the batch dimension: a kernel's thread (x, y) is
 * element x of batch item y, so per-batch coefficients are indexed by this.thread.y without dividing a flat
 * index (float32 division misplaces items beyond 2^23 elements). `value` stays on the device in resident
 * mode (a float texture in GL, a storage buffer in WebGPU) or is a host Float32Array.
 */
export interface GpujsTensor {
  readonly shape: readonly number[];
  readonly rows: number;
  readonly cols: number;
  readonly value: DeviceResult | Float32Array;
}

/** GPU.js's WebGPU pipeline result (src/backend/web-gpu/buffer-result.js): a storage buffer, read back asynchronously. */
interface WebGpuBuffer {
  readonly output: number[];
  toArray(): Promise<KernelOutput>;
  delete(): void;
}

/** A kernel result that stays on the device: a GL texture or a WebGPU buffer. */
type DeviceResult = Texture | WebGpuBuffer;

/** The parts of the gpu.js module the kernels use (imported lazily by the caller). */
export interface GpujsLibrary {
  GPU: typeof GPU;
  input: (value: Float32Array, size: number[]) => Input;
  /** GPU.js's one WebGPU device, shared by every GPU instance in webgpu mode; gpu.destroy() leaves it alive. */
  WebGPUContext: { destroy(): Promise<void> };
}

export interface GpujsKernelOptions {
  library: GpujsLibrary;
  gpu: GPU;
  mode: GpujsMode;
  /** Kernels return textures or buffers that the next kernel reads in place (headlessgl, webgpu); otherwise host arrays. */
  resident: boolean;
}

/** Longest per-sample sum the loss kernel loops over; GLSL loops need a compile-time bound. */
const MAX_ITEM_SIZE = 1 << 24;

/** From this many output elements on, kernels are compiled for their exact shape (see `kernel` below). */
const PER_SHAPE_KERNEL_ELEMENTS = 1 << 16;

/**
 * A shape a kernel has run at this many times gets a kernel compiled for it: loops (sampling, training) repeat a
 * few shapes thousands of times, property-based specs try each shape a few times.
 */
const HOT_SHAPE_CALLS = 4;

/** Kernels compiled for hot small shapes, at most, per backend (resident ones are never evicted, see below). */
const MAX_HOT_SHAPE_KERNELS = 96;

/** Compiled host-array kernels kept per backend; beyond this the oldest is destroyed (per-shape compilation can grow). */
const MAX_COMPILED_KERNELS = 256;

/** Kernel sources as text, so no TypeScript or test transpiler rewrites them before GPU.js parses them. */
function linearSource(terms: number): string {
  const args = Array.from({ length: terms }, (_, k) => `x${k}, c${k}`).join(', ');
  const body = Array.from({ length: terms }, (_, k) => `  s = s + c${k}[this.thread.y] * x${k}[this.thread.y][this.thread.x];`).join('\n');
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

/** A kernel's 2-D result as one flat array; a view when the rows already share one buffer. */
function flatten(result: Float32Array | Float32Array[], rows: number, cols: number): Float32Array {
  if (result instanceof Float32Array) return result.subarray(0, rows * cols);
  const first = result[0];
  const contiguous = result.every((r, y) => r.buffer === first.buffer && r.byteOffset === first.byteOffset + y * cols * 4 && r.length === cols);
  if (contiguous) return new Float32Array(first.buffer, first.byteOffset, rows * cols);
  const out = new Float32Array(rows * cols);
  result.forEach((r, y) => out.set(r, y * cols));
  return out;
}

function isInput(v: unknown): v is Input {
  return typeof v === 'object' && v !== null && 'size' in v && 'value' in v;
}

function isDeviceResult(v: unknown): v is DeviceResult {
  return typeof v === 'object' && v !== null && typeof (v as DeviceResult).toArray === 'function';
}

function isPromise<T>(v: unknown): v is Promise<T> {
  return typeof (v as Promise<T> | undefined)?.then === 'function';
}

/** f applied to a value, or once it resolves: WebGPU results are Promises, the other engines' are values. */
function whenReady<T, R>(v: MaybePromise<T>, f: (value: T) => MaybePromise<R>): MaybePromise<R> {
  return isPromise<T>(v) ? v.then(f) : f(v);
}

/** What a compiled kernel depends on in an argument: its kind and, unless resizable, its size. */
function argumentSignature(a: unknown, withSize: boolean): string {
  const size = (dims: ArrayLike<number>) => (withSize ? ` ${Array.from(dims).join('x')}` : '');
  if (isInput(a)) return `input${size(a.size)}`;
  if (isDeviceResult(a)) return `texture${size((a as unknown as { output: number[] }).output)}`;
  return typeof a === 'number' ? 'number' : `array${size([(a as Float32Array).length])}`;
}

/** Compiles, caches and runs GPU.js kernels on one engine; the TensorKernels and TrainingKernels share it. */
export interface GpujsRunner {
  readonly mode: GpujsMode;
  readonly resident: boolean;
  /** A tensor as a kernel argument: its texture in place, or its host array as a [rows, cols] input. */
  argument(h: GpujsTensor): DeviceResult | Input;
  /** Runs a kernel whose thread (x, y) computes element x of row y of a tensor of the given shape (a Promise in WebGPU). */
  run(name: string, source: string, shape: readonly number[], args: unknown[]): MaybePromise<GpujsTensor>;
  /**
   * Runs a kernel with one thread per row that loops over the row's `cols` elements, and returns its values to the
   * host (per-row reductions; a Promise in WebGPU).
   */
  rowValues(name: string, source: string, rows: number, cols: number, args: unknown[]): MaybePromise<Float64Array>;
  /** Frees a tensor's device texture or buffer (host arrays need nothing). */
  dispose(h: GpujsTensor): void;
  /** Device textures or buffers handed out and not yet disposed. */
  liveDeviceResults(): number;
  destroy(): void;
}

/**
 * Full float precision is requested everywhere: 'single' precision (32-bit float textures, never the 8-bit
 * packed 'unsigned' path) and the 'precision' tactic (highp in GLSL). WebGPU kernels return Promises (GPU.js
 * compiles them asynchronously and reads back with mapAsync); the other engines compute within the call, and
 * their kernels return values, not Promises.
 */
export function createGpujsRunner({ library, gpu, mode, resident }: GpujsKernelOptions): GpujsRunner {
  const compiled = new Map<string, IKernelRunShortcut>();
  /** Calls per exact (operation, shapes) among kernels run resizable, and how many of those got their own kernel. */
  const smallShapeCalls = new Map<string, number>();
  let hotShapeKernels = 0;
  const live = new Set<DeviceResult>();

  /**
   * Large tensors get one compiled kernel per (operation, output shape, argument shapes); small ones share one
   * kernel per operation that GPU.js resizes (dynamicOutput, dynamicArguments). Resizable GLSL kernels were
   * measured about 4x slower per element (sizes become uniforms in every index computation), while compiling
   * a GLSL kernel for each of the many small shapes of a property-based spec run costs more than running it
   * (the headlessgl spec suite: 87 s per shape, 13 s resizable). GPU.js's cpu engine always compiles per shape
   * (a JS function, about a millisecond): resized, it indexes a 2-D Input with the kernel's output width
   * instead of the input's own (src/backend/cpu/function-node.js) and reads the wrong elements. A small shape
   * run HOT_SHAPE_CALLS times gets its own kernel too: the mlp training step on headlessgl took 22 ms with
   * resizable kernels, 14 ms with kernels per shape (hidden 32, batch 128).
   */
  function kernel(name: string, source: string, output: number[], args: unknown[]): IKernelRunShortcut {
    const exactKey = `${name}|${output}|${args.map((a) => argumentSignature(a, true)).join(',')}`;
    let perShape = mode === 'cpu' || sizeOf(output) >= PER_SHAPE_KERNEL_ELEMENTS || compiled.has(exactKey);
    if (!perShape && hotShapeKernels < MAX_HOT_SHAPE_KERNELS) {
      const calls = (smallShapeCalls.get(exactKey) ?? 0) + 1;
      smallShapeCalls.set(exactKey, calls);
      if (calls >= HOT_SHAPE_CALLS) {
        perShape = true;
        hotShapeKernels++;
        smallShapeCalls.delete(exactKey);
      }
    }
    const key = perShape ? exactKey : `${name}|resizable|${args.map((a) => argumentSignature(a, false)).join(',')}`;
    let k = compiled.get(key);
    if (!k) {
      k = gpu.createKernel(source, {
        output,
        precision: 'single',
        tactic: 'precision',
        optimizeFloatMemory: true,
        dynamicOutput: !perShape,
        dynamicArguments: !perShape,
        pipeline: resident,
        immutable: resident,
        loopMaxIterations: MAX_ITEM_SIZE,
      } as Parameters<GPU['createKernel']>[1]);
      compiled.set(key, k);
      // A device texture stays tied to the kernel that made it (its readback goes through that kernel), so
      // only host-array kernels are evicted; resident ones compile per shape only for large tensors, few in a run.
      if (!resident && compiled.size > MAX_COMPILED_KERNELS) {
        const [oldestKey, oldest] = compiled.entries().next().value!;
        oldest.destroy();
        compiled.delete(oldestKey);
      }
    } else if (!perShape) {
      k.setOutput(output);
    }
    return k;
  }

  const argument = (h: GpujsTensor): DeviceResult | Input => (isDeviceResult(h.value) ? h.value : library.input(h.value, [h.cols, h.rows]));

  /** Runs an elementwise-shaped kernel with output [rows, cols] and wraps its result (a Promise of it in WebGPU). */
  function run(key: string, source: string, shape: readonly number[], args: unknown[]): MaybePromise<GpujsTensor> {
    const rows = shape[0];
    const cols = sizeOf(shape) / rows;
    const wrap = (result: KernelOutput | DeviceResult): GpujsTensor => {
      if (isDeviceResult(result)) {
        live.add(result);
        return { shape, rows, cols, value: result };
      }
      // Host arrays may be views of memory the engine reuses on its next run: copy them out.
      return { shape, rows, cols, value: Float32Array.from(flatten(result as Float32Array | Float32Array[], rows, cols)) };
    };
    return whenReady(kernel(key, source, [cols, rows], args)(...(args as Parameters<IKernelRunShortcut>)) as MaybePromise<KernelOutput>, wrap);
  }

  function rowValues(name: string, source: string, rows: number, cols: number, args: unknown[]): MaybePromise<Float64Array> {
    if (cols > MAX_ITEM_SIZE) throw new Error(`${mode}: ${cols} elements per row exceed the ${name} kernel's loop bound ${MAX_ITEM_SIZE}`);
    const values = (result: KernelOutput | DeviceResult): MaybePromise<Float64Array> => {
      if (!isDeviceResult(result)) return Float64Array.from(result as Float32Array);
      return whenReady(result.toArray() as MaybePromise<KernelOutput>, (v) => {
        result.delete();
        return Float64Array.from(v as Float32Array);
      });
    };
    return whenReady(kernel(name, source, [rows], args)(...(args as Parameters<IKernelRunShortcut>)) as MaybePromise<KernelOutput>, values);
  }

  return {
    mode,
    resident,
    argument,
    run,
    rowValues,
    dispose(h) {
      if (!isDeviceResult(h.value)) return;
      live.delete(h.value);
      h.value.delete();
    },
    liveDeviceResults: () => live.size,
    destroy() {
      for (const k of compiled.values()) k.destroy();
      compiled.clear();
    },
  };
}

/** TensorKernels on GPU.js, with its TrainingKernels (training.ts). */
export function createGpujsKernels(options: GpujsKernelOptions): TensorKernels<GpujsTensor> & { destroy(): void } {
  const runner = createGpujsRunner(options);
  const { mode, resident } = options;
  const { argument, run } = runner;
  const f32 = (values: ArrayLike<number>) => Float32Array.from(values);

  return {
    name: `gpujs:${mode}`,
    precision: 'float32',
    metadata: { engine: 'gpu.js', mode, storage: resident ? `device ${mode === 'webgpu' ? 'storage buffers' : 'textures'} between kernels` : 'host Float32Array between kernels' },

    upload(t: Tensor): MaybePromise<GpujsTensor> {
      const rows = t.shape[0];
      const host: GpujsTensor = { shape: t.shape, rows, cols: t.data.length / rows, value: f32(t.data) };
      return resident ? run('copy', SOURCES.copy, t.shape, [argument(host)]) : host;
    },

    download(h: GpujsTensor): MaybePromise<Tensor> {
      if (!isDeviceResult(h.value)) return { shape: h.shape, data: h.value };
      return whenReady(h.value.toArray() as MaybePromise<KernelOutput>, (values) => ({ shape: h.shape, data: Float32Array.from(flatten(values as Float32Array | Float32Array[], h.rows, h.cols)) }));
    },

    dispose: runner.dispose,
    // Textures and buffers are device memory the garbage collector does not free: counted, so the memory group checks every
    // operation disposes its intermediates. Host arrays need no disposing.
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
      return runner.rowValues('meanSquaredError', SOURCES.meanSquaredError, a.rows, a.cols, [argument(a), argument(b), a.cols]);
    },

    sinusoidalEmbedding(t, frequencies, dim) {
      // dim = 1 has no frequencies; GPU.js cannot bind an empty array, and the kernel then never reads it.
      const f = frequencies.length > 0 ? f32(frequencies) : new Float32Array(1);
      return run('sinusoidalEmbedding', SOURCES.sinusoidalEmbedding, [t.length, dim], [f32(t), f, frequencies.length]);
    },

    training: gpujsTrainingKernels(runner),

    destroy: runner.destroy,
  };
}
