// The statistical specs on the tfjs wasm engine with injected noise: the same kernels, but randomNormal left
// out, so composeBackend uploads the shared counter-based generator's values (src/random/gaussian.ts).
// The registered tfjs backends draw from tf.randomNormal; together the two runs separate a fault of the
// pipeline (fails both) from a fault of TensorFlow.js's generator (fails only the registered run).

import type { Tensor as TfTensor } from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { loadEngine } from '../../backends/tfjs/engines.js';
import { tfjsKernels } from '../../backends/tfjs/kernels.js';
import { forwardGroup } from '../../spec/groups/forward.js';
import { noiseGroup } from '../../spec/groups/noise.js';
import { posteriorGroup } from '../../spec/groups/posterior.js';
import { samplingGroup } from '../../spec/groups/sampling.js';
import type { TensorKernels } from '../../src/contract/kernels.js';
import { composeBackend } from '../../src/pipeline/compose.js';
import { runCheck } from '../../src/speckit/runner.js';
import { suiteSeedFromEnv } from '../../src/speckit/seed.js';
import { tfjsSelected } from './selection.js';

describe.skipIf(!tfjsSelected)('tfjs:wasm with the shared generator injected: the statistical specs', async () => {
  const { randomNormal: _ownGenerator, ...kernels } = tfjsKernels(await loadEngine('wasm'));
  const injected: TensorKernels<TfTensor> = {
    ...kernels,
    name: 'tfjs:wasm+shared-noise',
    metadata: { ...kernels.metadata, noise: 'shared counter-based generator (src/random), injected' },
  };
  const backend = composeBackend(injected);
  for (const group of [forwardGroup, noiseGroup, posteriorGroup, samplingGroup]) {
    for (const check of group.checks.filter((c) => c.kind === 'statistical')) {
      it(`${group.id} > ${check.name}`, async () => {
        const result = await runCheck(group, check, backend, suiteSeedFromEnv());
        expect(result.status, result.message).toBe('pass');
      });
    }
  }
});
