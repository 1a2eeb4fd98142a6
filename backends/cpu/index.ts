import { registerBackend } from '../../src/contract/registry.js';
import { composeBackend } from '../../src/pipeline/compose.js';
import { cpuKernels } from './kernels.js';

/** The float64 pure-TypeScript reference backend. */
export const cpuBackend = composeBackend(cpuKernels);

registerBackend({ name: 'cpu', priority: 0, create: async () => cpuBackend });
