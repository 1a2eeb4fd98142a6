import { ALL_CAPABILITIES, type DiffusionBackend, type OperationMethods } from '../contract/backend.js';
import type { TensorKernels } from '../contract/kernels.js';
import { metadataWithProfile, type ProfileSpec, resolveProfile } from '../conventions/profile.js';
import { ALL_OPERATIONS } from '../operations/index.js';
import { composeTraining } from '../training/compose.js';

/**
 * Builds the full DiffusionBackend from a backend's tensor kernels: each operation of the table (src/operations)
 * validates its arguments, then runs its composition. Every equation used comes from src/equations; the
 * compositions only decide which coefficients combine which tensors. Tables are always the float64 ones from
 * src/schedule: a float32 backend rounds each coefficient once instead of accumulating float32 error in
 * alpha-bar's running product (7e-7 relative at T = 1000). Every kernel call is awaited, so kernels of
 * asynchronous engines plug in as well (see KernelResult). `profile` picks the conventions where published
 * implementations differ (src/conventions): the indexing of the timesteps and the choices the compositions make.
 */
export function composeBackend<H>(k: TensorKernels<H>, profile?: ProfileSpec): DiffusionBackend {
  const conventions = resolveProfile(profile);
  const capabilities = ALL_CAPABILITIES.filter(
    (c) =>
      !k.without?.includes(c) &&
      (c !== 'training' || k.training !== undefined) &&
      (c !== 'architectures' || k.training?.architecture !== undefined) &&
      (c !== 'memory' || k.liveTensorCount !== undefined),
  );
  // async: a validator's error becomes a rejection, as for every other failure of an operation.
  const operations = Object.fromEntries(
    ALL_OPERATIONS.map((op) => [op.method, async (args: unknown) => op.compose(k, op.validate(args, conventions))]),
  ) as unknown as OperationMethods;
  return {
    name: k.name,
    precision: k.precision,
    capabilities,
    metadata: metadataWithProfile({ metadata: k.metadata, profile }),
    profile,
    training: capabilities.includes('training') ? composeTraining(k, k.training!) : undefined,
    liveTensorCount: k.liveTensorCount?.bind(k),
    ...operations,
  };
}
