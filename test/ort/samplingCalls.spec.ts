// A sampling step of a model is ONE ONNX Runtime call: the sampling loops hand the backend's own denoiser x_t on
// the device (DenoiserModel.onDevice), so the deferred engine computes the network, the prediction and the step as
// one graph, and the model output is read back (for the loop's checks) with that same run. A host round trip of
// the output between the model and the step would make it two.
import { describe, expect, it } from 'vitest';
import { DeferredEngine } from '../../backends/ort/deferred.js';
import { ortKernels } from '../../backends/ort/kernels.js';
import { loadRuntime } from '../../backends/ort/runtime.js';
import { initialWeights } from '../../src/models/init.js';
import type { ModelSpec } from '../../src/models/spec.js';
import { composeBackend } from '../../src/pipeline/compose.js';
import { scheduleTables } from '../../src/schedule/tables.js';
import { ortSelected } from './selection.js';

describe.skipIf(!ortSelected)('ort: sampling calls', () => {
  it('DDPM and DDIM make one ONNX Runtime call per step of a model', async () => {
    const engine = new DeferredEngine(await loadRuntime('node'));
    const backend = composeBackend(ortKernels(engine));
    const model: ModelSpec = { architecture: 'simple-conv', channels: 2, height: 4, width: 4 };
    const schedule = scheduleTables({ kind: 'linear', T: 6, betaStart: 1e-4, betaEnd: 0.06 });
    const denoiser = await backend.training!.denoiser(model, initialWeights(model, 1), schedule.T);
    const shape = [2, 2, 4, 4];
    try {
      const runs = async (sample: () => Promise<unknown>) => {
        const before = engine.counts.runs;
        await sample();
        return engine.counts.runs - before;
      };
      expect(await runs(() => backend.sampleDdpm({ schedule, shape, seed: 1, model: denoiser.model }))).toBe(6);
      const timesteps = [6, 4, 1];
      const ddim = () => backend.sampleDdim({ schedule, shape, seed: 1, model: denoiser.model, timesteps });
      expect(await runs(ddim)).toBe(3);
    } finally {
      denoiser.dispose();
    }
  });
});
