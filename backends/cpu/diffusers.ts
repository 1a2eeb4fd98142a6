import { composeBackend } from '../../src/pipeline/compose.js';
import { cpuKernels } from './kernels.js';

/**
 * The float64 reference under the diffusers profile (src/conventions/profile.ts): a backend that implements diffusers'
 * conventions correctly, as a diffusers-style implementation would (test/profiles.spec.ts, test/broken/profiles.ts).
 */
export const cpuDiffusersBackend = { ...composeBackend(cpuKernels, 'diffusers'), name: 'cpu-diffusers' };
