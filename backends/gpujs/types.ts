// Types shared by the GPU.js kernel files (kernels.ts, training.ts, runner.ts, compileCache.ts), kept apart so
// that the files which use them import this module and not each other.
import type { GPU, Input, KernelOutput, Texture } from 'gpu.js';
import type { MaybePromise } from '../../src/contract/kernels.js';

/** The GPU.js engines diffspec can drive from Node. */
export type GpujsMode = 'headlessgl' | 'webgpu' | 'webasm' | 'cpu';

/** GPU.js's WebGPU pipeline result (src/backend/web-gpu/buffer-result.js): a storage buffer, read back async. */
interface WebGpuBuffer {
  readonly output: number[];
  toArray(): Promise<KernelOutput>;
  delete(): void;
}

/** A kernel result that stays on the device: a GL texture or a WebGPU buffer. */
export type DeviceResult = Texture | WebGpuBuffer;

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

/** The parts of the gpu.js module the kernels use (imported lazily by the caller). */
export interface GpujsLibrary {
  GPU: typeof GPU;
  input: (value: Float32Array, size: number[]) => Input;
  /** GPU.js's one WebGPU device, shared by every GPU instance in webgpu mode; gpu.destroy() leaves it alive. */
  WebGPUContext: { destroy(): Promise<void>; acquire(): Promise<{ device: unknown }> };
  /** GPU.js's WebGPU kernel class, whose 2-D dispatch webgpuDispatch.ts folds. */
  WebGPUKernel: { prototype: unknown };
  /** GPU.js's WebGPU pipeline result: wraps a storage buffer so that kernels bind it as an array argument. */
  WebGPUBufferResult: new (settings: {
    buffer: unknown;
    output: number[];
    context: unknown;
  }) => WebGpuBuffer;
}

export interface GpujsKernelOptions {
  library: GpujsLibrary;
  gpu: GPU;
  mode: GpujsMode;
  /** Kernels return textures or buffers the next kernel reads in place (headlessgl, webgpu); else host arrays. */
  resident: boolean;
}

/** Compiles, caches and runs GPU.js kernels on one engine; the TensorKernels and TrainingKernels share it. */
export interface GpujsRunner {
  readonly mode: GpujsMode;
  readonly resident: boolean;
  /** A tensor as a kernel argument: its texture in place, or its host array as a [rows, cols] input. */
  argument(h: GpujsTensor): DeviceResult | Input;
  /** Runs a kernel whose thread (x, y) computes element x of row y of a tensor of this shape (a Promise in WebGPU). */
  run(name: string, source: string, shape: readonly number[], args: unknown[]): MaybePromise<GpujsTensor>;
  /**
   * Runs a kernel with one thread per row that loops over the row's `cols` elements, and returns its values to the
   * host (per-row reductions; a Promise in WebGPU).
   */
  rowValues(name: string, source: string, rows: number, cols: number, args: unknown[]): MaybePromise<Float64Array>;
  /**
   * The same values under another shape of as many rows: a second handle on the same texture, buffer or host array,
   * whose device memory is freed when the last handle on it is disposed.
   */
  share(h: GpujsTensor, shape: readonly number[]): GpujsTensor;
  /** Frees a tensor's device texture or buffer once no other handle shares it (host arrays need nothing). */
  dispose(h: GpujsTensor): void;
  /** Device textures or buffers handed out and not yet disposed. */
  liveDeviceResults(): number;
  destroy(): void;
}

/** A GL texture or WebGPU buffer (both read back with toArray), as opposed to a host array or a number. */
export function isDeviceResult(v: unknown): v is DeviceResult {
  return typeof v === 'object' && v !== null && typeof (v as DeviceResult).toArray === 'function';
}
