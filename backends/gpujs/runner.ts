// Runs GPU.js kernels on one engine over [rows, cols] tensors (types.ts), through the compile cache, and keeps
// count of the device results it hands out.
import type { IKernelRunShortcut, Input, KernelOutput } from 'gpu.js';
import type { MaybePromise } from '../../src/contract/kernels.js';
import { sizeOf } from '../../src/tensor.js';
import { createCompileCache, MAX_LOOP_ITERATIONS } from './compileCache.js';
import {
  type DeviceResult,
  type GpujsKernelOptions,
  type GpujsRunner,
  type GpujsTensor,
  isDeviceResult,
} from './types.js';

/** A kernel's 2-D result as one flat array; a view when the rows already share one buffer. */
export function flatten(result: Float32Array | Float32Array[], rows: number, cols: number): Float32Array {
  if (result instanceof Float32Array) return result.subarray(0, rows * cols);
  const first = result[0];
  const contiguous = result.every(
    (r, y) => r.buffer === first.buffer && r.byteOffset === first.byteOffset + y * cols * 4 && r.length === cols,
  );
  if (contiguous) return new Float32Array(first.buffer, first.byteOffset, rows * cols);
  const out = new Float32Array(rows * cols);
  result.forEach((r, y) => out.set(r, y * cols));
  return out;
}

export function isPromise<T>(v: unknown): v is Promise<T> {
  return typeof (v as Promise<T> | undefined)?.then === 'function';
}

/** f applied to a value, or once it resolves: WebGPU results are Promises, the other engines' are values. */
export function whenReady<T, R>(v: MaybePromise<T>, f: (value: T) => MaybePromise<R>): MaybePromise<R> {
  return isPromise<T>(v) ? v.then(f) : f(v);
}

/**
 * WebGPU kernels return Promises (GPU.js compiles them asynchronously and reads back with mapAsync); the other
 * engines compute within the call, and their kernels return values, not Promises.
 */
export function createGpujsRunner({ library, gpu, mode, resident }: GpujsKernelOptions): GpujsRunner {
  const cache = createCompileCache(gpu, mode, resident);
  const live = new Set<DeviceResult>();
  /** Handles beyond the first on a device result (share). */
  const sharers = new Map<DeviceResult, number>();

  const argument = (h: GpujsTensor): DeviceResult | Input =>
    isDeviceResult(h.value) ? h.value : library.input(h.value, [h.cols, h.rows]);

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
      return {
        shape,
        rows,
        cols,
        value: Float32Array.from(flatten(result as Float32Array | Float32Array[], rows, cols)),
      };
    };
    return whenReady(
      cache.kernel(
        key,
        source,
        [cols, rows],
        args,
      )(...(args as Parameters<IKernelRunShortcut>)) as MaybePromise<KernelOutput>,
      wrap,
    );
  }

  function rowValues(
    name: string,
    source: string,
    rows: number,
    cols: number,
    args: unknown[],
  ): MaybePromise<Float64Array> {
    if (cols > MAX_LOOP_ITERATIONS)
      throw new Error(
        `${mode}: ${cols} elements per row exceed the ${name} kernel's loop bound ${MAX_LOOP_ITERATIONS}`,
      );
    const values = (result: KernelOutput | DeviceResult): MaybePromise<Float64Array> => {
      if (!isDeviceResult(result)) return Float64Array.from(result as Float32Array);
      return whenReady(result.toArray() as MaybePromise<KernelOutput>, (v) => {
        result.delete();
        return Float64Array.from(v as Float32Array);
      });
    };
    return whenReady(
      cache.kernel(
        name,
        source,
        [rows],
        args,
      )(...(args as Parameters<IKernelRunShortcut>)) as MaybePromise<KernelOutput>,
      values,
    );
  }

  return {
    mode,
    resident,
    argument,
    run,
    rowValues,
    share(h, shape) {
      if (shape[0] !== h.rows) throw new Error(`gpujs: a shared handle keeps the ${h.rows} rows of [${h.shape}]`);
      if (isDeviceResult(h.value)) sharers.set(h.value, (sharers.get(h.value) ?? 0) + 1);
      return { shape, rows: h.rows, cols: h.cols, value: h.value };
    },
    dispose(h) {
      if (!isDeviceResult(h.value)) return;
      const others = sharers.get(h.value) ?? 0;
      if (others > 0) {
        if (others === 1) sharers.delete(h.value);
        else sharers.set(h.value, others - 1);
        return;
      }
      live.delete(h.value);
      h.value.delete();
    },
    liveDeviceResults: () => live.size,
    destroy: cache.destroy,
  };
}
