import type { TensorKernels } from '../contract/kernels.js';
import { gaussianTensor } from '../random/gaussian.js';

/** Registers a handle for disposal at the end of a scope and hands it back. */
export type Track<H> = (h: H) => H;

/** Runs fn with a tracker; every tracked handle is disposed when fn resolves or throws, except the one `keep` picks. */
export async function scoped<H, R>(
  k: TensorKernels<H>,
  fn: (track: Track<H>) => Promise<R>,
  keep?: (result: R) => H,
): Promise<R> {
  const handles = new Set<H>();
  try {
    const result = await fn((h) => {
      handles.add(h);
      return h;
    });
    if (keep) handles.delete(keep(result));
    return result;
  } finally {
    disposeAll(k, handles);
  }
}

/** Like scoped, but the handle fn returns outlives the scope (the sampling loops' running x). */
export function scopedHandle<H>(k: TensorKernels<H>, fn: (track: Track<H>) => Promise<H>): Promise<H> {
  return scoped(k, fn, (h) => h);
}

export function disposeAll<H>(k: TensorKernels<H>, handles: Iterable<H>): void {
  for (const h of handles) k.dispose(h);
}

/** Standard normal noise on the device: the backend's own generator, or the shared one (src/random) uploaded. */
export async function normalNoise<H>(k: TensorKernels<H>, shape: readonly number[], seed: number, stream: number) {
  return k.randomNormal ? k.randomNormal(shape, seed, stream) : k.upload(gaussianTensor(shape, seed, stream));
}
