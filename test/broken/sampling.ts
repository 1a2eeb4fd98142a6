import { cpuBackend } from '../../backends/cpu/index.js';
import { gaussianTensor } from '../../src/random/gaussian.js';
import { broken, type CheckName } from './broken.js';

const DDPM_LOOP: CheckName =
  "loops > sampleDdpm is the float64 recursion of DDPM steps on the backend's noise, under every option";
const DDIM_LOOP: CheckName =
  "loops > sampleDdim is the float64 recursion of DDIM steps on the backend's noise, every option and eta";
const DDIM_GAUSSIAN_LAW: CheckName =
  'sampling > DDIM (eta = 0, 50 respaced steps) with the optimal eps for Gaussian data has the exactly propagated law';

export const brokenSampling = [
  broken('ddpm-loop-reuses-noise', 'the DDPM loop draws its step noise once and reuses it at every step', DDPM_LOOP, {
    async sampleDdpm({ schedule, shape, model, seed, options }) {
      let x = gaussianTensor(shape, seed, 0);
      const noise = gaussianTensor(shape, seed, 1);
      for (let step = schedule.T; step >= 1; step--) {
        const t = new Int32Array(shape[0]).fill(step);
        x = (await cpuBackend.ddpmStep({ schedule, xt: x, t, modelOutput: await model(x, t), noise, options })).prev;
      }
      return x;
    },
  }),
  broken(
    'ddim-loop-skips-last-step',
    'the DDIM loop stops at t_1 instead of taking the final step to t = 0',
    DDIM_LOOP,
    {
      async sampleDdim({ schedule, shape, model, seed, timesteps, options }) {
        let x = gaussianTensor(shape, seed, 0);
        for (let i = 0; i + 1 < timesteps.length; i++) {
          const t = new Int32Array(shape[0]).fill(timesteps[i]);
          const tPrev = new Int32Array(shape[0]).fill(timesteps[i + 1]);
          x = (
            await cpuBackend.ddimStep({
              schedule,
              xt: x,
              t,
              tPrev,
              modelOutput: await model(x, t),
              noise: gaussianTensor(shape, seed, timesteps[i]),
              options,
            })
          ).prev;
        }
        return x;
      },
    },
  ),
  broken(
    'sampler-clips-by-default',
    "the sampling loops clip x0^ to [-1, 1] unless told otherwise (improved-diffusion's clip_denoised=True default), while the contract's default is no clipping",
    DDIM_GAUSSIAN_LAW,
    {
      sampleDdpm: (args) => cpuBackend.sampleDdpm({ ...args, options: { clip: true, ...args.options } }),
      sampleDdim: (args) => cpuBackend.sampleDdim({ ...args, options: { clip: true, ...args.options } }),
    },
  ),
];
