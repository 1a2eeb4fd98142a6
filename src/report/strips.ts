import { defaultImagePath, loadImage, stripSvg } from '../forward/strip.js';
import { BackendProcess } from '../isolation/backendProcess.js';
import { CHECK_TIMEOUT_MS, MIN_LOAD_TIMEOUT_MS } from '../speckit/timeout.js';
import type { Figure } from './html.js';

/** The seed's demonstration steps. */
const STRIP_STEPS = [0, 10, 50, 100];

/**
 * The seed's forward-diffusion strip (T = 100, betas linspace(1e-4, 0.06, 100), the built-in image) on each
 * backend, drawn from its own forwardChain in a process of its own (src/isolation), as its checks ran; a backend
 * without the forward capability, one that failed, or one that was lost (`lost`, by name: it timed out or crashed
 * in its checks), gets a note instead.
 */
export async function seedStrips(
  selectors: readonly string[],
  seed: number,
  lost: ReadonlySet<string>,
): Promise<Figure[]> {
  const x0 = await loadImage(defaultImagePath());
  return Promise.all(
    selectors.map(async (selector): Promise<Figure> => {
      const host = new BackendProcess(selector, { loadTimeoutMs: Math.max(CHECK_TIMEOUT_MS, MIN_LOAD_TIMEOUT_MS) });
      try {
        const reply = await host.load();
        const name = reply.type === 'ready' ? reply.backend.name : selector;
        const figure = {
          id: `strip-${name}`,
          title: `${name}: forward chain, seed schedule`,
          caption: `x_t for t = ${STRIP_STEPS.join(', ')} from the backend's forwardChain (seed ${seed}).`,
        };
        const why = 'reason' in reply ? reply.reason : reply.type;
        if (reply.type !== 'ready') return { ...figure, note: `not drawn: ${why}` };
        if (lost.has(name)) return { ...figure, caption: '', note: 'not drawn: it timed out or crashed in its checks' };
        if (!reply.backend.capabilities.includes('forward')) {
          return { ...figure, note: `not drawn: ${name} does not declare the forward capability` };
        }
        const outcome = await host.request({ type: 'frames', x0, steps: STRIP_STEPS, seed }, CHECK_TIMEOUT_MS);
        if ('lost' in outcome) return { ...figure, note: `not drawn: forwardChain failed: ${outcome.lost}` };
        if (outcome.reply.type !== 'frames') {
          const why = 'message' in outcome.reply ? outcome.reply.message : outcome.reply.type;
          return { ...figure, note: `not drawn: forwardChain failed: ${why}` };
        }
        return { ...figure, svg: await stripSvg(outcome.reply.frames) };
      } finally {
        host.kill();
      }
    }),
  );
}
