import { cpuBackend } from '../../backends/cpu/index.js';
import type { Tensor } from '../../src/tensor.js';
import { broken } from './broken.js';

export const brokenDenoiser = [
  broken(
    'ddpm-loop-stale-model-output',
    "the DDPM loop steps with the previous step's model output (a cached prediction one step behind), calling the " +
      'model at the right x_t and t',
    "denoiser > every step of sampleDdpm with the ONNX denoiser is the float64 DDPM step from that step's x_t and output",
    {
      async sampleDdpm({ schedule, shape, model, seed, options }) {
        let x = await cpuBackend.randomNormal({ shape, seed, stream: 0 });
        let previous: Tensor | undefined;
        for (let step = schedule.T; step >= 1; step--) {
          const t = new Int32Array(shape[0]).fill(step);
          const output = await model(x, t);
          const modelOutput = previous ?? output;
          previous = output;
          const noise = await cpuBackend.randomNormal({ shape, seed, stream: step });
          x = (await cpuBackend.ddpmStep({ schedule, xt: x, t, modelOutput, noise, options })).prev;
        }
        return x;
      },
    },
  ),
];
