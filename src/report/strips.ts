import type { DiffusionBackend } from '../contract/backend.js';
import { resolveBackend } from '../contract/registry.js';
import { defaultImagePath, forwardFrames, loadImage, stripSvg } from '../forward/strip.js';
import { SEED_SCHEDULE } from '../schedule/spec.js';
import { isModulePath, loadBackendModule } from '../speckit/selection.js';
import { CHECK_TIMEOUT_MS } from '../speckit/timeout.js';
import type { Figure } from './html.js';

function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms)));
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

/** The seed's demonstration steps. */
const STRIP_STEPS = [0, 10, 50, 100];

async function backendFor(selector: string): Promise<DiffusionBackend | string> {
  const r = isModulePath(selector) ? await loadBackendModule(selector) : await resolveBackend(selector);
  if ('backend' in r) return r.backend;
  return 'failed' in r ? r.failed : r.skipped;
}

/**
 * The seed's forward-diffusion strip (T = 100, betas linspace(1e-4, 0.06, 100), the built-in image) on each
 * backend, drawn from its own forwardChain; a backend without the forward capability, or one that timed out
 * in its checks (`timedOut`, by name), gets a note instead.
 */
export async function seedStrips(selectors: readonly string[], seed: number, timedOut: ReadonlySet<string>): Promise<Figure[]> {
  const x0 = await loadImage(defaultImagePath());
  return Promise.all(
    selectors.map(async (selector): Promise<Figure> => {
      const backend = await backendFor(selector);
      const name = typeof backend === 'string' ? selector : backend.name;
      const figure = { id: `strip-${name}`, title: `${name}: forward chain, seed schedule`, caption: `x_t for t = ${STRIP_STEPS.join(', ')} from the backend's forwardChain (seed ${seed}).` };
      if (typeof backend === 'string') return { ...figure, note: `not drawn: ${backend}` };
      // Disposed after drawing: a backend holding a device (dawn.node's WebGPU device) keeps Node from exiting.
      try {
        if (timedOut.has(name)) return { ...figure, caption: '', note: 'not drawn: the backend timed out in its checks' };
        if (!backend.capabilities.includes('forward')) return { ...figure, note: `not drawn: ${name} does not declare the forward capability` };
        const frames = await withTimeout(forwardFrames({ backend, x0, schedule: SEED_SCHEDULE, steps: STRIP_STEPS, seed }), CHECK_TIMEOUT_MS);
        return { ...figure, svg: await stripSvg(frames) };
      } catch (e) {
        return { ...figure, note: `not drawn: forwardChain failed: ${e instanceof Error ? e.message : String(e)}` };
      } finally {
        await backend.dispose?.();
      }
    }),
  );
}
