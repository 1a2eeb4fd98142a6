import { registerBackend } from '../../src/contract/registry.js';
import { composeBackend } from '../../src/pipeline/compose.js';
import { loadEngine } from './engines.js';
import { tfjsKernels } from './kernels.js';
import type { TfjsVariant } from './types.js';

/**
 * TensorFlow.js, one registered backend per engine; the family name "tfjs" resolves node > wasm > cpu.
 * Priorities sit below the float64 reference (cpu, 0) so that "no name" still means the reference.
 */
const PRIORITY: Record<TfjsVariant, number> = { node: -1, wasm: -2, cpu: -3 };

for (const variant of ['node', 'wasm', 'cpu'] as const) {
  registerBackend({
    name: `tfjs:${variant}`,
    priority: PRIORITY[variant],
    available: async () => {
      await loadEngine(variant);
      return true;
    },
    create: async () => composeBackend(tfjsKernels(await loadEngine(variant))),
  });
}
