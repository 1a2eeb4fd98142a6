// GPU.js backends, one per engine: gpujs:webgpu, gpujs:headlessgl, gpujs:webasm, gpujs:cpu. gpu.js, the
// native `gl` module and dawn.node load only when a variant is checked or created, so registering stays cheap.
import { createRequire } from 'node:module';
import type { DiffusionBackend } from '../../src/contract/backend.js';
import { registerBackend } from '../../src/contract/registry.js';
import { composeBackend } from '../../src/pipeline/compose.js';
import { createGpujsKernels } from './kernels.js';
import type { GpujsLibrary, GpujsMode } from './types.js';
import { installNavigatorGpu, webgpuDevice } from './webgpu.js';
import { foldTwoDimensionalDispatches } from './webgpuDispatch.js';

const require = createRequire(import.meta.url);

export async function loadGpujs(): Promise<GpujsLibrary> {
  const mod = (await import('gpu.js')) as unknown as GpujsLibrary & { default?: GpujsLibrary };
  return mod.default ?? mod;
}

/** Resolves to true or to the reason `gl` gives no usable WebGL context with float textures. */
function headlessGlAvailability(): true | string {
  let createContext: (
    width: number,
    height: number,
  ) => { getExtension(name: string): { destroy?(): void } | null } | null;
  try {
    createContext = require('gl');
  } catch (e) {
    return `the native gl module did not load (${(e as Error).message.split('\n')[0]}); run scripts/setup-gpujs.sh`;
  }
  const gl = createContext(1, 1);
  if (!gl)
    return `headless-gl gave no WebGL context: it needs an X server (DISPLAY is ${process.env.DISPLAY ? JSON.stringify(process.env.DISPLAY) : 'unset'}); run under xvfb-run -a`;
  const float = gl.getExtension('OES_texture_float');
  gl.getExtension('STACKGL_destroy_context')?.destroy?.();
  return float ? true : 'the WebGL context has no OES_texture_float: only 8-bit packed textures, not float32';
}

async function webgpuAvailability(): Promise<true | string> {
  const device = await webgpuDevice();
  return typeof device === 'string' ? device : true;
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
  if (mode === 'webasm' && !(library.GPU as unknown as { isWebAssemblySupported: boolean }).isWebAssemblySupported)
    return 'GPU.js reports no WebAssembly support';
  return true;
}

/** WebGPU kernel sets open now; GPU.js shares one WebGPU device among them. */
let openWebgpuKernels = 0;

/** GPU.js kernels on one engine; `resident: false` copies through host arrays between kernels (for the bench). */
export async function openGpujsKernels(mode: GpujsMode, resident = mode === 'headlessgl' || mode === 'webgpu') {
  let adapter: string | undefined;
  if (mode === 'webgpu') {
    const device = await webgpuDevice();
    if (typeof device === 'string') throw new Error(`gpujs:webgpu: ${device}`);
    installNavigatorGpu(device.gpu);
    adapter = device.adapter;
  }
  const library = await loadGpujs();
  if (mode === 'webgpu') foldTwoDimensionalDispatches(library.WebGPUKernel);
  const gpu = new library.GPU({ mode });
  const created = createGpujsKernels({ library, gpu, mode, resident });
  const kernels = adapter ? { ...created, metadata: { ...created.metadata, adapter } } : created;
  if (mode === 'webgpu') openWebgpuKernels++;
  return {
    kernels,
    async close() {
      kernels.destroy();
      await gpu.destroy();
      // A live dawn.node device keeps Node from exiting (or crashes it at exit): the last one out destroys it.
      if (mode === 'webgpu' && --openWebgpuKernels === 0) await library.WebGPUContext.destroy();
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
  registerBackend({
    name: `gpujs:${mode}`,
    priority,
    available: () => availability(mode),
    create: () => createGpujsBackend(mode),
  });
}
