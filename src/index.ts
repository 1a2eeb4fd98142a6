// diffspec's public API: the backend contract, the registry, kernel composition, schedules, the shared
// noise generator, program backends and the spec suite's registration for a user's own vitest suite.

export { SPEC_GROUPS } from '../spec/groups/index.js';
export type * from './contract/architecture-kernels.js';
export type * from './contract/backend.js';
export { ALL_CAPABILITIES } from './contract/backend.js';
export type { ScaledTerm, TensorKernels } from './contract/kernels.js';
export {
  type BackendRegistration,
  type Resolution,
  registerBackend,
  registeredBackends,
  resolveBackend,
} from './contract/registry.js';
// What a backend implements to train models and to run the U-Net, attention and DiT layers.
export type * from './contract/training.js';
export { type ConventionFlags, PROFILES, type ProfileName, type ProfileSpec } from './conventions/profile.js';
export { DiffspecInputError } from './errors.js';
export { composeBackend } from './pipeline/compose.js';
// A program in any language as a backend (docs/protocol.md): programBackend(programCommand('cmd:...'), label).
export { programBackend } from './process/backend.js';
export type { ProgramCommand } from './process/connection.js';
export { programCommand } from './process/selector.js';
export { gaussianTensor, gaussianValues } from './random/gaussian.js';
export { DDPM_SCHEDULE, parseScheduleSpec, type ScheduleSpec, SEED_SCHEDULE } from './schedule/spec.js';
export { type ScheduleTables, scheduleBetas, scheduleTables, tablesFromBetas } from './schedule/tables.js';
export type { CheckKind, SpecCheck, SpecGroup } from './speckit/check.js';
export type { BackendExpectations, Expectation } from './speckit/expectations.js';
export { CHECK_TIMEOUT_MS, type ConformanceOptions, describeConformance, describeSpecGroup } from './speckit/vitest.js';
export { type FloatArray, type Tensor, tensor } from './tensor.js';
