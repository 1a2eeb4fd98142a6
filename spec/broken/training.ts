// Deliberately broken training backends, each one real-world bug in the cpu reference's training kernels; the
// training spec group must report each (spec/broken.spec.ts). The check expected to catch it is named in `bug`.
import { cpuKernels } from '../../backends/cpu/kernels.js';
import { cpuTrainingKernels } from '../../backends/cpu/training.js';
import type { TrainingKernels } from '../../src/contract/training.js';
import { composeBackend } from '../../src/pipeline/compose.js';
import { uniformValues } from '../../src/random/uniform.js';
import type { Tensor } from '../../src/tensor.js';
import type { BrokenBackend } from './broken.js';

/** The cpu reference with some training kernels replaced by buggy ones. */
function brokenTrainingKernels(id: string, bug: string, overrides: Partial<TrainingKernels<Tensor>>): BrokenBackend {
  return { id, bug, caughtBy: 'training', backend: composeBackend({ ...cpuKernels, name: `broken:${id}`, training: { ...cpuTrainingKernels, ...overrides } }) };
}

export const brokenTraining = [
  brokenTrainingKernels('timesteps-from-zero', 't drawn from 0..T-1 (Python range(T)) but used as the paper 1..T (the timestep range check)', {
    randomTimesteps: (n, T, seed, stream) => Int32Array.from(uniformValues(seed, stream, n), (u) => Math.floor(T * u)),
  }),
  brokenTrainingKernels('dense-bias-gradient', "a dense layer's bias gradient taken from the first batch item only (the finite-difference check)", {
    denseBackward(x, weight, dOut) {
      const g = cpuTrainingKernels.denseBackward(x, weight, dOut);
      return { ...g, dBias: { shape: g.dBias.shape, data: Float64Array.from(dOut.data.subarray(0, weight.shape[0])) } };
    },
  }),
  brokenTrainingKernels('adam-no-bias-correction', 'Adam without bias correction, m and v used as they are (the hand-computed Adam step)', {
    adamUpdate: (param, grad, m, v, c) => cpuTrainingKernels.adamUpdate(param, grad, m, v, { ...c, mCorrection: 1, vCorrection: 1 }),
  }),
  brokenTrainingKernels('time-channel-missing', 'the time channel and the MLP embedding missing: concatenation keeps the first input and zeros (the forward-pass check)', {
    concatChannels(a, b) {
      const out = cpuTrainingKernels.concatChannels(a, b);
      const inner = b.data.length / b.shape[0];
      const width = out.data.length / out.shape[0];
      for (let n = 0; n < out.shape[0]; n++) (out.data as Float64Array).fill(0, n * width + width - inner, (n + 1) * width);
      return out;
    },
  }),
];
