// Deliberately broken training backends, each one real-world bug in the cpu reference's training kernels; the
// check of the training spec group named in `caughtBy` must report each (test/broken.spec.ts).
import { cpuKernels } from '../../backends/cpu/kernels.js';
import { cpuTrainingKernels } from '../../backends/cpu/training.js';
import type { TrainingKernels } from '../../src/contract/training.js';
import { composeBackend } from '../../src/pipeline/compose.js';
import { uniformValues } from '../../src/random/uniform.js';
import type { Tensor } from '../../src/tensor.js';
import type { BrokenBackend, CheckName } from './broken.js';

const TIMESTEP_RANGE: CheckName =
  'training > the trainer draws its timesteps from 1..T, with the draw sampleTimesteps reports';
const FINITE_DIFFERENCES: CheckName =
  'training > every parameter gradient equals central finite differences of L_simple';
const ADAM_STEP: CheckName = 'training > one Adam step equals the textbook update on a hand-computed example';
// The end-to-end check's name carries its threshold (spec/groups/training.ts, E2E_RUN).
const END_TO_END: CheckName =
  'training > DDPM samples of an MLP trained on two moons match the data: k-NN KL estimate (k = 5) below 1.4';
const FORWARD_PASS: CheckName =
  'training > the forward pass equals the model definition (time channel, embedding, layers)';

type TrainingOverrides = Partial<TrainingKernels<Tensor>>;

/** The cpu reference with some training kernels replaced by buggy ones. */
function brokenTrainingKernels(
  id: string,
  bug: string,
  caughtBy: CheckName,
  overrides: TrainingOverrides,
): BrokenBackend {
  const backend = composeBackend({
    ...cpuKernels,
    name: `broken:${id}`,
    training: { ...cpuTrainingKernels, ...overrides },
  });
  return { id, bug, caughtBy, backend };
}

export const brokenTraining = [
  brokenTrainingKernels(
    'timesteps-from-zero',
    't drawn from 0..T-1 (Python range(T)) but used as the paper 1..T',
    TIMESTEP_RANGE,
    {
      randomTimesteps: (n, T, seed, stream) =>
        Int32Array.from(uniformValues(seed, stream, n), (u) => Math.floor(T * u)),
    },
  ),
  brokenTrainingKernels(
    'dense-bias-gradient',
    "a dense layer's bias gradient from the first batch item only",
    FINITE_DIFFERENCES,
    {
      denseBackward(x, weight, dOut) {
        const g = cpuTrainingKernels.denseBackward(x, weight, dOut);
        return {
          ...g,
          dBias: { shape: g.dBias.shape, data: Float64Array.from(dOut.data.subarray(0, weight.shape[0])) },
        };
      },
    },
  ),
  brokenTrainingKernels(
    'adam-no-bias-correction',
    'Adam without bias correction, m and v used as they are',
    ADAM_STEP,
    {
      adamUpdate: (param, grad, m, v, c) =>
        cpuTrainingKernels.adamUpdate(param, grad, m, v, { ...c, mCorrection: 1, vCorrection: 1 }),
    },
  ),
  brokenTrainingKernels(
    'time-channel-missing',
    'no time channel and MLP embedding: concat keeps input 1, zeros',
    FORWARD_PASS,
    {
      concatChannels(a, b) {
        const out = cpuTrainingKernels.concatChannels(a, b);
        const inner = b.data.length / b.shape[0];
        const width = out.data.length / out.shape[0];
        for (let n = 0; n < out.shape[0]; n++)
          (out.data as Float64Array).fill(0, n * width + width - inner, (n + 1) * width);
        return out;
      },
    },
  ),
  // Caught only by the end-to-end run: every per-step check sees a correct Adam update, but the trainer keeps the old
  // parameters, so the model never learns (measured: L_simple 1.024, KL 4.25 against the threshold 1.4).
  brokenTrainingKernels(
    'adam-update-dropped',
    "Adam's new parameters go to a copy the trainer never sees",
    END_TO_END,
    {
      adamUpdate(param, grad, m, v, c) {
        const kept = { shape: param.shape, data: Float64Array.from(param.data) };
        return { ...cpuTrainingKernels.adamUpdate(param, grad, m, v, c), param: kept };
      },
    },
  ),
];
