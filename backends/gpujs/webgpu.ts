// dawn.node (npm package `webgpu`) as GPU.js's WebGPU: Node has no navigator.gpu, so the backend installs one,
// lazily, when gpujs:webgpu is checked or created. Loaded only then, so registering the backends stays cheap.
import { existsSync } from 'node:fs';
import { join } from 'node:path';

/** The parts of dawn.node's GPU object used here. */
interface DawnGpu {
  requestAdapter(): Promise<{ info?: { description?: string; vendor?: string } } | null>;
}

/**
 * Mesa's lavapipe, a Vulkan driver on the CPU (Debian: mesa-vulkan-drivers from bookworm-backports, see
 * scripts/setup-webgpu.sh); Mesa 25 names its manifest without an architecture suffix, Mesa 22 with one.
 */
const LAVAPIPE_MANIFESTS = [
  '/usr/share/vulkan/icd.d/lvp_icd.json',
  `/usr/share/vulkan/icd.d/lvp_icd.${process.arch === 'arm64' ? 'aarch64' : 'x86_64'}.json`,
];

/**
 * dawn.node needs the Vulkan loader on Linux and, lacking it, writes a warning to stderr on every load (once
 * per test file); looking for the library first gives the same answer quietly.
 */
function vulkanLoaderMissing(): boolean {
  if (process.platform !== 'linux') return false;
  const multiarch = `${process.arch === 'arm64' ? 'aarch64' : 'x86_64'}-linux-gnu`;
  const dirs = [
    ...(process.env.LD_LIBRARY_PATH ?? '').split(':').filter(Boolean),
    `/usr/lib/${multiarch}`,
    `/lib/${multiarch}`,
    '/usr/lib64',
    '/usr/lib',
    '/usr/local/lib',
  ];
  return !dirs.some((d) => existsSync(join(d, 'libvulkan.so.1')));
}

export interface WebgpuDevice {
  gpu: DawnGpu;
  adapter: string;
}

let probe: Promise<WebgpuDevice | string> | undefined;

/**
 * dawn.node's GPU with an adapter, or why there is none; probed once per process. The Vulkan loader's own
 * driver search comes first, so a real GPU wins; only when it finds no adapter and the user chose no drivers
 * (VK_ICD_FILENAMES, VK_DRIVER_FILES) is lavapipe named explicitly, in this process only.
 */
export function webgpuDevice(): Promise<WebgpuDevice | string> {
  probe ??= (async () => {
    if (vulkanLoaderMissing())
      return 'no Vulkan loader (libvulkan.so.1, Debian package libvulkan1), so dawn.node has no WebGPU adapter; run scripts/setup-webgpu.sh (without a GPU it also installs Mesa lavapipe)';
    let create: (flags: string[]) => DawnGpu;
    try {
      ({ create } = (await import('webgpu')) as { create(flags: string[]): DawnGpu });
    } catch (e) {
      return `dawn.node (package webgpu) did not load: ${(e as Error).message.split('\n')[0]}`;
    }
    let gpu = create([]);
    let adapter = await gpu.requestAdapter();
    const lavapipe = LAVAPIPE_MANIFESTS.find((m) => existsSync(m));
    if (
      !adapter &&
      lavapipe &&
      process.env.VK_ICD_FILENAMES === undefined &&
      process.env.VK_DRIVER_FILES === undefined
    ) {
      process.env.VK_ICD_FILENAMES = lavapipe;
      gpu = create([]);
      adapter = await gpu.requestAdapter();
    }
    if (!adapter)
      return 'dawn.node found no WebGPU adapter (no working Vulkan driver: without a GPU, run scripts/setup-webgpu.sh for Mesa lavapipe from bookworm-backports)';
    return { gpu, adapter: adapter.info?.description || adapter.info?.vendor || 'unknown' };
  })();
  return probe;
}

/** Gives GPU.js its navigator.gpu (dawn.node's), keeping whatever else a navigator already has. */
export function installNavigatorGpu(gpu: DawnGpu): void {
  const current = (globalThis as { navigator?: { gpu?: unknown } }).navigator;
  if (current?.gpu === gpu) return;
  const navigator = Object.create(current ?? null) as { gpu: DawnGpu };
  navigator.gpu = gpu;
  Object.defineProperty(globalThis, 'navigator', { value: navigator, configurable: true, writable: true });
}
