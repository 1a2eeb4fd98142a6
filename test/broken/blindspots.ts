// Deliberately broken backends for the blind-spot classes of issue 11: each bug passes a check that tries an
// argument at one value only, leaves an option combination to chance, never reads a returned field, tests noise
// for correlation only, or never tries seeds above 2^32. The check that must catch each is named above it.
import { cpuBackend } from '../../backends/cpu/index.js';
import { cpuKernels } from '../../backends/cpu/kernels.js';
import { composeBackend } from '../../src/pipeline/compose.js';
import { gaussianValues } from '../../src/random/gaussian.js';
import { uniformValues } from '../../src/random/uniform.js';
import { sizeOf, tensor } from '../../src/tensor.js';
import { type BrokenBackend, broken } from './broken.js';

export const brokenBlindSpots: BrokenBackend[] = [
  // Arguments checked at one value: an inversion written for tNext = t + 1 (inversion loops that step one at a time).
  broken(
    'ddim-inversion-unit-stride',
    'the DDIM reverse step goes to t + 1 whatever tNext it is given',
    'reverse > the DDIM reverse step is eq. 12 run forward for every option, from t to any later timestep',
    {
      ddimReverseStep: (args) => cpuBackend.ddimReverseStep({ ...args, tNext: Array.from(args.t, (u) => u + 1) }),
    },
  ),
  // Option combinations left to chance: a DDPM sampler that slices off the variance channels and samples with the
  // fixed variance (learned_range honoured by p_mean_variance, lost in the loop).
  broken(
    'ddpm-loop-drops-learned-variance',
    'under learned_range the DDPM loop samples with fixed_small',
    "loops > sampleDdpm is the float64 recursion of DDPM steps on the backend's noise, under every option",
    {
      async sampleDdpm(args) {
        if (args.options?.variance !== 'learned_range') return cpuBackend.sampleDdpm(args);
        const model = async (xt: Parameters<typeof args.model>[0], t: Int32Array) => {
          const out = await args.model(xt, t);
          const m = xt.data.length / xt.shape[0];
          return tensor(
            xt.shape,
            Float64Array.from(xt.data, (_, i) => out.data[2 * Math.floor(i / m) * m + (i % m)]),
          );
        };
        return cpuBackend.sampleDdpm({ ...args, model, options: { ...args.options, variance: 'fixed_small' } });
      },
    },
  ),
  // Returned fields no check read: a DDIM step whose prev uses the clipped x0^ but that returns the raw one.
  broken(
    'ddim-step-returns-unclipped-x0',
    'the DDIM step returns the unclipped x0^ as predX0',
    'reverse > a DDIM step follows eq. 12 for every option and eta in [0, 1], from t to any earlier timestep',
    {
      async ddimStep(args) {
        const r = await cpuBackend.ddimStep(args);
        if (!args.options?.clip) return r;
        const { predX0 } = await cpuBackend.pMeanVariance({
          ...args,
          options: { ...args.options, clip: false, eta: 0 },
        });
        return { ...r, predX0 };
      },
    },
  ),
  // Returned fields no check read: a chain that records inside its step loop, so x_0 (recordAt 0) never is.
  broken(
    'forward-chain-drops-step-zero',
    'forwardChain never records x_0 (recordAt 0)',
    "loops > forwardChain is the float64 recursion on the backend's noise and records the steps asked for",
    {
      async forwardChain(args) {
        const r = await cpuBackend.forwardChain(args);
        return { ...r, recorded: r.recorded.filter((entry) => entry.t > 0) };
      },
    },
  ),
  // Noise tested for correlation only: Box-Muller on a sliding window of uniforms,
  // z_i = sqrt(-2 ln u_i) cos(2 pi u_{i+1}), one uniform per value instead of two: each z_i is exactly N(0, 1) and
  // neighbours are uncorrelated, but z_i's angle is z_{i+1}'s radius.
  {
    id: 'box-muller-shared-uniform',
    bug: "Box-Muller reuses each uniform: one value's angle is the next value's radius",
    caughtBy: 'noise > randomNormal values are independent beyond correlation: in a tensor, across batch and streams',
    backend: composeBackend({
      ...cpuKernels,
      name: 'broken:box-muller-shared-uniform',
      randomNormal(shape, seed, stream) {
        const u = uniformValues(seed, stream, sizeOf(shape) + 1);
        const z = (i: number) => Math.sqrt(-2 * Math.log(1 - u[i])) * Math.cos(2 * Math.PI * u[i + 1]);
        return { shape, data: Float64Array.from({ length: sizeOf(shape) }, (_, i) => z(i)) };
      },
    }),
  },
  // Seeds: the Philox key built with JavaScript's 32-bit bitwise operators, so seed and seed + 2^32 share a stream.
  {
    id: 'seed-truncated-to-32-bits',
    bug: 'the noise key is seed >>> 0: seeds that differ only above 2^32 give the same noise',
    caughtBy: 'noise > each integer seed in 0..2^53 - 1 has its own stream; other seeds are rejected naming the field',
    backend: composeBackend({
      ...cpuKernels,
      name: 'broken:seed-truncated-to-32-bits',
      randomNormal: (shape, seed, stream) => ({ shape, data: gaussianValues(seed >>> 0, stream, sizeOf(shape)) }),
    }),
  },
];
