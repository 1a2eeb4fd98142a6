// GPU.js backends, one per engine: gpujs:webgpu, gpujs:headlessgl, gpujs:webasm, gpujs:cpu. gpu.js, the
// native `gl` module and dawn.node load only when a variant is checked or created, so registering stays cheap.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { DiffusionBackend } from '../../src/contract/backend.js';
import { registerBackend } from '../../src/contract/registry.js';
import { composeBackend } from '../../src/pipeline/compose.js';
import { createGpujsKernels, type GpujsLibrary, type GpujsMode } from './kernels.js';

const require = createRequire(import.meta.url);

export async function loadGpujs(): Promise<GpujsLibrary> {
  const mod = (await import('gpu.js')) as unknown as GpujsLibrary & { default?: GpujsLibrary };
  return mod.default ?? mod;
}

/** Resolves to true or to the reason `gl` gives no usable WebGL context with float textures. */
function headlessGlAvailability(): true | string {
  let createContext: (width: number, height: number) => { getExtension(name: string): { destroy?(): void } | null } | null;
  try {
    createContext = require('gl');
  } catch (e) {
    return `the native gl module did not load (${(e as Error).message.split('\n')[0]}); run scripts/setup-gpujs.sh`;
  }
  const gl = createContext(1, 1);
  if (!gl) return `headless-gl gave no WebGL context: it needs an X server (DISPLAY is ${process.env.DISPLAY ? JSON.stringify(process.env.DISPLAY) : 'unset'}); run under xvfb-run -a`;
  const float = gl.getExtension('OES_texture_float');
  gl.getExtension('STACKGL_destroy_context')?.destroy?.();
  return float ? true : 'the WebGL context has no OES_texture_float: only 8-bit packed textures, not float32';
}

/**
 * dawn.node needs the Vulkan loader on Linux and, lacking it, writes a warning to stderr on every load (once
 * per test file); looking for the library first gives the same answer quietly.
 */
function vulkanLoaderMissing(): boolean {
  if (process.platform !== 'linux') return false;
  const multiarch = `${process.arch === 'arm64' ? 'aarch64' : 'x86_64'}-linux-gnu`;
  const dirs = [...(process.env.LD_LIBRARY_PATH ?? '').split(':').filter(Boolean), `/usr/lib/${multiarch}`, `/lib/${multiarch}`, '/usr/lib64', '/usr/lib', '/usr/local/lib'];
  return !dirs.some((d) => existsSync(join(d, 'libvulkan.so.1')));
}

async function webgpuAvailability(): Promise<string> {
  if (vulkanLoaderMissing()) return 'no Vulkan loader (libvulkan.so.1, Debian package libvulkan1), so dawn.node has no WebGPU adapter; without a GPU it also needs Mesa lavapipe from bookworm-backports, see README';
  let adapter: { info?: { description?: string; vendor?: string } } | null;
  try {
    const { create } = (await import('webgpu')) as { create(flags: string[]): { requestAdapter(): Promise<typeof adapter> } };
    adapter = await create([]).requestAdapter();
  } catch (e) {
    return `dawn.node (package webgpu) did not load: ${(e as Error).message.split('\n')[0]}`;
  }
  if (!adapter) return 'dawn.node found no WebGPU adapter (no Vulkan driver: without a GPU it needs Mesa lavapipe from bookworm-backports, see README)';
  // GPU.js runs WebGPU kernels asynchronously only (each call returns a Promise); TensorKernels is synchronous.
  return `WebGPU adapter "${adapter.info?.description ?? adapter.info?.vendor ?? 'unknown'}" found, but GPU.js's WebGPU kernels are asynchronous only and diffspec's TensorKernels contract is synchronous`;
}

async function availability(mode: GpujsMode): Promise<true | string> {
  let library: GpujsLibrary;
  try {
    library = await loadGpujs();
  } catch (e) {
    return `gpu.js is not installed (an optional dependency): ${(e as Error).message.split('\n')[0]}`;
  }
  if (mode === 'headlessgl') return headlessGlAvailability();
  if (mode === 'webgpu') return webgpuAvailability();
  if (mode === 'webasm' && !(library.GPU as unknown as { isWebAssemblySupported: boolean }).isWebAssemblySupported) return 'GPU.js reports no WebAssembly support';
  return true;
}

/** GPU.js kernels on one engine; `resident: false` copies through host arrays between kernels (for the bench). */
export async function openGpujsKernels(mode: GpujsMode, resident = mode === 'headlessgl') {
  const library = await loadGpujs();
  const gpu = new library.GPU({ mode });
  const kernels = createGpujsKernels({ library, gpu, mode, resident });
  return {
    kernels,
    async close() {
      kernels.destroy();
      await gpu.destroy();
    },
  };
}

export async function createGpujsBackend(mode: GpujsMode, resident?: boolean): Promise<DiffusionBackend> {
  const { kernels, close } = await openGpujsKernels(mode, resident);
  return { ...composeBackend(kernels), dispose: close };
}

const VARIANTS: { mode: GpujsMode; priority: number }[] = [
  { mode: 'webgpu', priority: -10 },
  { mode: 'headlessgl', priority: -20 },
  { mode: 'webasm', priority: -30 },
  { mode: 'cpu', priority: -40 },
];

for (const { mode, priority } of VARIANTS) {
  registerBackend({ name: `gpujs:${mode}`, priority, available: () => availability(mode), create: () => createGpujsBackend(mode) });
}
