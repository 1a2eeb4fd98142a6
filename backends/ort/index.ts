import { registerBackend } from '../../src/contract/registry.js';
import { composeBackend } from '../../src/pipeline/compose.js';
import { DeferredEngine } from './deferred.js';
import { ortKernels } from './kernels.js';
import { loadRuntime, type OrtVariant } from './runtime.js';

/**
 * ONNX Runtime, one registered backend per package: ort:node (onnxruntime-node's native CPU engine) and
 * ort:wasm (onnxruntime-web's WebAssembly engine, in Node); the family name "ort" resolves node > wasm.
 * Priorities sit below the float64 reference (cpu, 0) and the tfjs family, so "no name" still means the reference.
 */
const PRIORITY: Record<OrtVariant, number> = { node: -5, wasm: -6 };

for (const variant of ['node', 'wasm'] as const) {
  registerBackend({
    name: `ort:${variant}`,
    priority: PRIORITY[variant],
    available: async () => {
      await loadRuntime(variant);
      return true;
    },
    create: async () => composeBackend(ortKernels(new DeferredEngine(await loadRuntime(variant)))),
  });
}
