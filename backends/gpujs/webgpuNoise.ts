// The shared noise generator (src/random: Philox4x32-10 + Box-Muller, README "Conventions") as a WGSL compute shader
// on GPU.js's WebGPU device. GPU.js's own JavaScript-to-WGSL translation types every number as f32, so the shader is
// written here, in u32 arithmetic: the Philox words equal the host's bit for bit.
import { checkSeed, checkStream } from '../../src/random/gaussian.js';
import { philoxKey } from '../../src/random/philox.js';
import type { GpujsLibrary } from './types.js';

/** The parts of a WebGPU device (dawn.node) the generator uses. */
interface Device {
  createShaderModule(d: { code: string }): unknown;
  createComputePipeline(d: { layout: 'auto'; compute: { module: unknown; entryPoint: string } }): Pipeline;
  createBuffer(d: { size: number; usage: number; mappedAtCreation?: boolean }): Buffer;
  createBindGroup(d: { layout: unknown; entries: { binding: number; resource: { buffer: Buffer } }[] }): unknown;
  createCommandEncoder(): Encoder;
  queue: { submit(buffers: unknown[]): void; writeBuffer(b: Buffer, offset: number, data: ArrayBufferView): void };
  limits: { maxComputeWorkgroupsPerDimension: number };
}
interface Pipeline {
  getBindGroupLayout(i: number): unknown;
}
interface Buffer {
  mapAsync(mode: number): Promise<void>;
  getMappedRange(): ArrayBuffer;
  unmap(): void;
  destroy(): void;
}
interface Encoder {
  beginComputePass(): {
    setPipeline(p: Pipeline): void;
    setBindGroup(i: number, g: unknown): void;
    dispatchWorkgroups(x: number, y: number): void;
    end(): void;
  };
  copyBufferToBuffer(a: Buffer, ao: number, b: Buffer, bo: number, size: number): void;
  finish(): unknown;
}

// WebGPU's buffer usage and map mode flags (GPUBufferUsage, GPUMapMode).
const MAP_READ = 0x1;
const COPY_SRC = 0x4;
const COPY_DST = 0x8;
const UNIFORM = 0x40;
const STORAGE = 0x80;

const WORKGROUP = 64;

/**
 * mode 0: the four Philox words of block b at out[4 b ..]; mode 1: the normals 2 b and 2 b + 1 as f32 bits, in
 * float32 (u1, u2 rounded to float32 from their 53-bit integers; 2 pi u2 reduced to [-pi, pi) exactly, since
 * u2 - 1 is exact for u2 >= 1/2).
 */
const SHADER = `
struct Params { k0 : u32, k1 : u32, stream : u32, count : u32, mode : u32, rowThreads : u32 }
@group(0) @binding(0) var<uniform> params : Params;
@group(0) @binding(1) var<storage, read_write> out : array<u32>;

// The high word of a 32 x 32-bit product through 16-bit halves, as mulHi in src/random/philox.ts.
fn mulhi(a : u32, b : u32) -> u32 {
  let aLo = a & 0xffffu;
  let aHi = a >> 16u;
  let bLo = b & 0xffffu;
  let bHi = b >> 16u;
  let lh = aLo * bHi;
  let hl = aHi * bLo;
  let mid = ((aLo * bLo) >> 16u) + (lh & 0xffffu) + (hl & 0xffffu);
  return aHi * bHi + (lh >> 16u) + (hl >> 16u) + (mid >> 16u);
}

fn philox(counter : vec4<u32>, key : vec2<u32>) -> vec4<u32> {
  var c = counter;
  var k = key;
  for (var round = 0; round < 10; round++) {
    let hi0 = mulhi(0xd2511f53u, c.x);
    let lo0 = 0xd2511f53u * c.x;
    let hi1 = mulhi(0xcd9e8d57u, c.z);
    let lo1 = 0xcd9e8d57u * c.z;
    c = vec4<u32>(hi1 ^ c.y ^ k.x, lo1, hi0 ^ c.w ^ k.y, lo0);
    k = k + vec2<u32>(0x9e3779b9u, 0xbb67ae85u);
  }
  return c;
}

@compute @workgroup_size(${WORKGROUP})
fn main(@builtin(global_invocation_id) gid : vec3<u32>) {
  let b = gid.x + gid.y * params.rowThreads;
  let w = philox(vec4<u32>(b, params.stream, 0u, 0u), vec2<u32>(params.k0, params.k1));
  if (params.mode == 0u) {
    if (b >= params.count) { return; }
    out[4u * b] = w.x;
    out[4u * b + 1u] = w.y;
    out[4u * b + 2u] = w.z;
    out[4u * b + 3u] = w.w;
    return;
  }
  if (2u * b >= params.count) { return; }
  // u1 = ((w0 >> 5) 2^26 + (w1 >> 6) + 1) / 2^53 in (0, 1], u2 = ((w2 >> 5) 2^26 + (w3 >> 6)) / 2^53 in [0, 1).
  // -ln u1 = -ln(1 - v) with v = 1 - u1 = ((2^27 - 1 - (w0 >> 5)) 2^26 + (2^26 - 1 - (w1 >> 6))) / 2^53, exact in
  // integers: below v = 1/4 as the series sum_n v^n / n (24 terms, so the rest is below 2^-48 v), since u1 rounded
  // to float32 near 1 loses v's low bits; above it log(u1), u1 from its integers (1 - v would cancel near u1 = 0).
  let v = f32(0x7ffffffu - (w.x >> 5u)) * 7.450580596923828e-9 + f32(0x3ffffffu - (w.y >> 6u)) * 1.1102230246251565e-16;
  var minusLog = 0.0;
  if (v < 0.25) {
    var series = 0.0;
    for (var n = 24; n >= 1; n--) { series = 1.0 / f32(n) + v * series; }
    minusLog = v * series;
  } else {
    minusLog = -log(f32(w.x >> 5u) * 7.450580596923828e-9 + f32((w.y >> 6u) + 1u) * 1.1102230246251565e-16);
  }
  var u2 = f32(w.z >> 5u) * 7.450580596923828e-9 + f32(w.w >> 6u) * 1.1102230246251565e-16;
  if (u2 >= 0.5) { u2 = u2 - 1.0; }
  let r = sqrt(2.0 * minusLog);
  let theta = 6.283185307179586 * u2;
  out[2u * b] = bitcast<u32>(r * cos(theta));
  if (2u * b + 1u < params.count) { out[2u * b + 1u] = bitcast<u32>(r * sin(theta)); }
}`;

export interface DeviceNoise {
  /** The four Philox4x32-10 words of blocks 0..blocks-1 of (seed, stream), read back. */
  words(seed: number, stream: number, blocks: number): Promise<Uint32Array>;
  /** Standard normal values 0..count-1 of (seed, stream) in float32, read back. */
  normals(seed: number, stream: number, count: number): Promise<Float32Array>;
  /**
   * The same normals left in a storage buffer of the device (count float32 values, at least one), queued before any
   * later work; the caller destroys it.
   */
  normalBuffer(seed: number, stream: number, count: number): unknown;
}

/**
 * The generator on GPU.js's WebGPU device (open a gpujs:webgpu kernel set first: it gives GPU.js its navigator.gpu).
 * Seeds and streams are checked as on the host (src/random/gaussian.ts).
 */
export async function webgpuNoise(library: GpujsLibrary): Promise<DeviceNoise> {
  const device = (await library.WebGPUContext.acquire()).device as Device;
  const shader = device.createShaderModule({ code: SHADER });
  const pipeline = device.createComputePipeline({ layout: 'auto', compute: { module: shader, entryPoint: 'main' } });

  /** Queues the shader on a new storage buffer of `words` 32-bit words (at least one) and returns the buffer. */
  function dispatch(mode: number, seed: number, stream: number, blocks: number, count: number, words: number) {
    checkSeed(seed);
    checkStream(stream);
    const out = device.createBuffer({ size: Math.max(4, words * 4), usage: STORAGE | COPY_SRC });
    // Block b < 2^32 here (a storage buffer holds far fewer values), so the counter's third word is 0.
    if (blocks === 0) return out;
    const groups = Math.ceil(blocks / WORKGROUP);
    const rows = Math.ceil(groups / device.limits.maxComputeWorkgroupsPerDimension);
    const perRow = Math.ceil(groups / rows);
    const params = device.createBuffer({ size: 32, usage: UNIFORM | COPY_DST });
    const [k0, k1] = philoxKey(seed);
    device.queue.writeBuffer(params, 0, new Uint32Array([k0, k1, stream, count, mode, perRow * WORKGROUP, 0, 0]));
    const entries = [
      { binding: 0, resource: { buffer: params } },
      { binding: 1, resource: { buffer: out } },
    ];
    const bindGroup = device.createBindGroup({ layout: pipeline.getBindGroupLayout(0), entries });
    const encoder = device.createCommandEncoder();
    const pass = encoder.beginComputePass();
    pass.setPipeline(pipeline);
    pass.setBindGroup(0, bindGroup);
    pass.dispatchWorkgroups(perRow, rows);
    pass.end();
    device.queue.submit([encoder.finish()]);
    // WebGPU frees a destroyed buffer only once the work submitted before is done.
    params.destroy();
    return out;
  }

  async function run(mode: number, seed: number, stream: number, blocks: number, count: number, words: number) {
    const out = dispatch(mode, seed, stream, blocks, count, words);
    const size = Math.max(4, words * 4);
    const staging = device.createBuffer({ size, usage: MAP_READ | COPY_DST });
    const encoder = device.createCommandEncoder();
    encoder.copyBufferToBuffer(out, 0, staging, 0, size);
    device.queue.submit([encoder.finish()]);
    try {
      await staging.mapAsync(MAP_READ);
      const result = new Uint32Array(staging.getMappedRange().slice(0, words * 4));
      staging.unmap();
      return result;
    } finally {
      for (const b of [out, staging]) b.destroy();
    }
  }

  return {
    words: (seed, stream, blocks) => run(0, seed, stream, blocks, blocks, 4 * blocks),
    normals: async (seed, stream, count) => {
      const bits = await run(1, seed, stream, Math.ceil(count / 2), count, count);
      return new Float32Array(bits.buffer, bits.byteOffset, count);
    },
    normalBuffer: (seed, stream, count) => dispatch(1, seed, stream, Math.ceil(count / 2), count, count),
  };
}
