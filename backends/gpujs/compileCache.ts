// The compiled GPU.js kernels of one engine, and when a kernel is compiled for an exact shape or shared across
// shapes. backends/gpujs/README.md ("Compiled kernels") gives the measurements behind the thresholds.
import type { GPU, IKernelRunShortcut, Input } from 'gpu.js';
import { sizeOf } from '../../src/tensor.js';
import { type GpujsMode, isDeviceResult } from './types.js';

/** Longest loop a kernel may run (the per-row reductions loop over a row); GLSL loops need a compile-time bound. */
export const MAX_LOOP_ITERATIONS = 1 << 24;

/**
 * From this many output elements on, kernels are compiled for their exact shape: a resizable kernel pays for its
 * sizes, which become uniforms, in every index computation, and large tensors are few in a run.
 */
const PER_SHAPE_KERNEL_ELEMENTS = 1 << 16;

/**
 * A shape a kernel has run at this many times gets a kernel compiled for it: loops (sampling, training) repeat a
 * few shapes thousands of times, property-based specs try each shape a few times.
 */
const HOT_SHAPE_CALLS = 4;

/** Kernels compiled for hot small shapes, at most, per engine (resident ones are never evicted, see below). */
const MAX_HOT_SHAPE_KERNELS = 96;

/** Compiled host-array kernels kept per engine; beyond this the oldest is destroyed (per-shape kernels add up). */
const MAX_COMPILED_KERNELS = 256;

function isInput(v: unknown): v is Input {
  return typeof v === 'object' && v !== null && 'size' in v && 'value' in v;
}

/** What a compiled kernel depends on in an argument: its kind and, unless resizable, its size. */
function argumentSignature(a: unknown, withSize: boolean): string {
  const size = (dims: ArrayLike<number>) => (withSize ? ` ${Array.from(dims).join('x')}` : '');
  if (isInput(a)) return `input${size(a.size)}`;
  if (isDeviceResult(a)) return `texture${size((a as unknown as { output: number[] }).output)}`;
  return typeof a === 'number' ? 'number' : `array${size([(a as Float32Array).length])}`;
}

export interface CompileCache {
  /** The kernel for an operation at this output shape and these arguments, compiled on first use. */
  kernel(name: string, source: string, output: number[], args: unknown[]): IKernelRunShortcut;
  /** Destroys every compiled kernel. */
  destroy(): void;
}

/**
 * Large tensors get one compiled kernel per (operation, output shape, argument shapes); small ones share one
 * kernel per operation that GPU.js resizes (dynamicOutput, dynamicArguments), since compiling GLSL for each of
 * the many small shapes of a property-based spec run costs more than running it. A small shape run
 * HOT_SHAPE_CALLS times gets its own kernel too: the loops' per-kernel overhead then drops. GPU.js's cpu engine
 * always compiles per shape (a JS function, cheap): resized, it indexes a 2-D Input with the kernel's output
 * width instead of the input's own (src/backend/cpu/function-node.js) and reads the wrong elements.
 *
 * Full float precision is requested everywhere: 'single' precision (32-bit float textures, never the 8-bit
 * packed 'unsigned' path) and the 'precision' tactic (highp in GLSL). Resident kernels (`pipeline`,
 * `immutable`) return a texture or buffer of their own that the next kernel reads in place.
 */
export function createCompileCache(gpu: GPU, mode: GpujsMode, resident: boolean): CompileCache {
  const compiled = new Map<string, IKernelRunShortcut>();
  /** Calls per exact (operation, shapes) among kernels run resizable. */
  const smallShapeCalls = new Map<string, number>();
  let hotShapeKernels = 0;

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
        loopMaxIterations: MAX_LOOP_ITERATIONS,
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

  return {
    kernel,
    destroy() {
      for (const k of compiled.values()) k.destroy();
      compiled.clear();
    },
  };
}
