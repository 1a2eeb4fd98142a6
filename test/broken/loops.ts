import { cpuBackend } from '../../backends/cpu/index.js';
import { broken, type CheckName } from './broken.js';

const DDPM_LOOP: CheckName =
  "loops > sampleDdpm is the float64 recursion of DDPM steps on the backend's noise, under every option";

export const brokenLoops = [
  broken(
    'ddpm-loop-zero-based-timestep',
    "the DDPM loop passes the model the 0-based timestep t - 1 (diffusers' indexing) while stepping with the schedule at t",
    DDPM_LOOP,
    {
      async sampleDdpm({ schedule, shape, model, seed, options }) {
        let x = await cpuBackend.randomNormal({ shape, seed, stream: 0 });
        for (let step = schedule.T; step >= 1; step--) {
          const t = new Int32Array(shape[0]).fill(step);
          const modelOutput = await model(x, new Int32Array(shape[0]).fill(step - 1));
          x = (
            await cpuBackend.ddpmStep({
              schedule,
              xt: x,
              t,
              modelOutput,
              noise: await cpuBackend.randomNormal({ shape, seed, stream: step }),
              options,
            })
          ).prev;
        }
        return x;
      },
    },
  ),
];
