// Deliberately broken training backends, each one real-world bug on top of the cpu reference kernels. The
// training spec group must report each of them (spec/broken-training.spec.ts).
import { cpuKernels } from '../../backends/cpu/kernels.js';
import { cpuTrainingKernels } from '../../backends/cpu/training.js';
import type { DiffusionBackend } from '../../src/contract/backend.js';
import type { TrainingKernels } from '../../src/contract/training.js';
import { composeBackend } from '../../src/pipeline/compose.js';
import { uniformValues } from '../../src/random/uniform.js';
import type { Tensor } from '../../src/tensor.js';

export interface BrokenTrainingBackend {
  bug: string;
  backend: DiffusionBackend;
  /** Names of the training checks that must fail on it. */
  caughtBy: string[];
}

function broken(name: string, overrides: Partial<TrainingKernels<Tensor>>): DiffusionBackend {
  return composeBackend({ ...cpuKernels, name: `broken:${name}`, training: { ...cpuTrainingKernels, ...overrides } });
}

export const BROKEN_TRAINING: BrokenTrainingBackend[] = [
  {
    bug: 't drawn from 0..T-1 (Python range(T)) but used as the paper 1..T',
    backend: broken('timesteps-from-zero', {
      randomTimesteps: (n, T, seed, stream) => Int32Array.from(uniformValues(seed, stream, n), (u) => Math.floor(T * u)),
    }),
    caughtBy: ['the trainer draws t uniformly from 1..T'],
  },
  {
    bug: "a dense layer's bias gradient taken from the first batch item only",
    backend: broken('dense-bias-gradient', {
      denseBackward(x, weight, dOut) {
        const g = cpuTrainingKernels.denseBackward(x, weight, dOut);
        return { ...g, dBias: { shape: g.dBias.shape, data: Float64Array.from(dOut.data.subarray(0, weight.shape[0])) } };
      },
    }),
    caughtBy: ['every parameter gradient equals central finite differences of L_simple'],
  },
  {
    bug: 'Adam without bias correction (m and v used as they are)',
    backend: broken('adam-no-bias-correction', {
      adamUpdate: (param, grad, m, v, c) => cpuTrainingKernels.adamUpdate(param, grad, m, v, { ...c, mCorrection: 1, vCorrection: 1 }),
    }),
    caughtBy: ['one Adam step equals the textbook update on a hand-computed example', 'a trainer step is L_simple gradient, clipping, Adam and EMA on the draws it reports'],
  },
  {
    bug: 'the time channel (and the MLP embedding) missing: concatenation keeps the first input and zeros',
    backend: broken('time-channel-missing', {
      concatChannels(a, b) {
        const out = cpuTrainingKernels.concatChannels(a, b);
        const inner = b.data.length / b.shape[0];
        const width = out.data.length / out.shape[0];
        for (let n = 0; n < out.shape[0]; n++) (out.data as Float64Array).fill(0, n * width + width - inner, (n + 1) * width);
        return out;
      },
    }),
    caughtBy: ['the forward pass equals the model definition (time channel, embedding, layers)'],
  },
];
