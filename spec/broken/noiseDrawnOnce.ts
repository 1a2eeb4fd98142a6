// A deliberately broken backend for the loops group: the DDPM sampling loop draws its noise once, before
// the loop, and adds the same z at every step (a real bug when the noise tensor is hoisted out of the loop).
// Every single step is right, so step-level specs cannot see it.
import type { DiffusionBackend } from '../../src/contract/backend.js';
import { cpuBackend } from '../../backends/cpu/index.js';

export const noiseDrawnOnceBackend: DiffusionBackend = {
  ...cpuBackend,
  name: 'broken:noise-drawn-once',
  async sampleDdpm({ schedule, shape, model, seed, options }) {
    let x = await cpuBackend.randomNormal({ shape, seed, stream: 0 });
    const noise = await cpuBackend.randomNormal({ shape, seed, stream: 1 });
    for (let t = schedule.T; t >= 1; t--) {
      const ts = new Int32Array(shape[0]).fill(t);
      x = (await cpuBackend.ddpmStep({ schedule, xt: x, t: ts, modelOutput: await model(x, ts), noise, options })).prev;
    }
    return x;
  },
};
