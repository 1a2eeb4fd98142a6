// Folds GPU.js's 2-D WebGPU dispatches so that a row longer than the device allows along x still runs. GPU.js
// dispatches a 2-D kernel in 8 x 8 workgroups and folds only 1-D outputs, so a row of more than
// maxComputeWorkgroupsPerDimension x 8 elements (lavapipe: 65535 x 8 = 524280) threw before any work was done.

/** The parts of GPU.js's WebGPUKernel (src/backend/web-gpu/kernel.js) the fold replaces. */
interface WebGpuKernelPrototype {
  output: number[];
  workgroupSize: number[];
  _device: { limits: { maxComputeWorkgroupsPerDimension: number } };
  assembleWGSL(): string;
  _computeDispatch(threadDim: number[]): { groups: number[]; dispatchWidth: number };
}

/** GPU.js's 2-D entry point: x and y straight from the invocation id (z is 1 for a 2-D output). */
const UNFOLDED = `  threadGid = gid;
  if (gid.x >= params.outputX || gid.y >= params.outputY || gid.z >= params.outputZ) { return; }
  let data_index : i32 = i32(gid.x + params.outputX * (gid.y + params.outputY * gid.z));`;

/** The folded one: workgroups along z continue the row, x = gid.x + gid.z dispatchWidth (as GPU.js's 1-D fold). */
const FOLDED = `  let folded_x : u32 = gid.x + gid.z * params.dispatchWidth;
  threadGid = vec3<u32>(folded_x, gid.y, 0u);
  if (folded_x >= params.outputX || gid.y >= params.outputY) { return; }
  let data_index : i32 = i32(folded_x + params.outputX * gid.y);`;

const patched = new WeakSet<object>();

/**
 * Replaces the 2-D entry point and its dispatch on GPU.js's WebGPUKernel class: when a row needs more workgroups
 * than the device allows along x, they are split into equal parts stacked along z, and the shader rebuilds x.
 * Idempotent; 1-D and 3-D kernels are left to GPU.js.
 */
export function foldTwoDimensionalDispatches(kernelClass: { prototype: unknown }): void {
  const proto = kernelClass.prototype as WebGpuKernelPrototype;
  if (patched.has(proto)) return;
  const { assembleWGSL, _computeDispatch } = proto;
  if (typeof assembleWGSL !== 'function' || typeof _computeDispatch !== 'function') {
    throw new Error('gpu.js: WebGPUKernel has no assembleWGSL/_computeDispatch to fold 2-D dispatches into');
  }
  patched.add(proto);

  proto.assembleWGSL = function (this: WebGpuKernelPrototype) {
    const wgsl = assembleWGSL.call(this);
    if (this.output.length !== 2) return wgsl;
    if (!wgsl.includes(UNFOLDED)) {
      throw new Error("gpu.js: the 2-D WebGPU entry point changed; backends/gpujs/webgpuDispatch.ts can't fold it");
    }
    return wgsl.replace(UNFOLDED, FOLDED);
  };

  proto._computeDispatch = function (this: WebGpuKernelPrototype, threadDim: number[]) {
    if (this.output.length !== 2) return _computeDispatch.call(this, threadDim);
    const [wx, wy] = this.workgroupSize;
    const max = this._device.limits.maxComputeWorkgroupsPerDimension;
    const along = Math.ceil(threadDim[0] / wx);
    const parts = Math.ceil(along / max);
    const groups = [Math.ceil(along / parts), Math.ceil(threadDim[1] / wy), parts];
    if (groups[1] > max || parts > max) {
      const output = `${threadDim[0]}x${threadDim[1]}`;
      throw new Error(`gpujs:webgpu: output ${output} needs over ${max} workgroups in a dimension, even folded`);
    }
    return { groups, dispatchWidth: groups[0] * wx };
  };
}
