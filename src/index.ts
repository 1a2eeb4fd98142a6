// diffspec's public API: the backend contract, the registry, kernel composition, schedules, the shared
// noise generator, program backends and the spec suite's registration for a user's own vitest suite.
export type * from './contract/backend.js';
export { ALL_CAPABILITIES } from './contract/backend.js';
export type { ScaledTerm, TensorKernels } from './contract/kernels.js';
// What a backend implements to train models and to run the U-Net, attention and DiT layers.
export type * from './contract/training.js';
export type * from './contract/architecture-kernels.js';
export { registerBackend, registeredBackends, resolveBackend, type BackendRegistration, type Resolution } from './contract/registry.js';
export { composeBackend } from './pipeline/compose.js';
// A program in any language as a backend (docs/protocol.md): programBackend(programCommand('cmd:...'), label).
export { programBackend } from './process/backend.js';
export { programCommand } from './process/selector.js';
export type { ProgramCommand } from './process/connection.js';
export { DDPM_SCHEDULE, SEED_SCHEDULE, parseScheduleSpec, type ScheduleSpec } from './schedule/spec.js';
export { scheduleBetas, scheduleTables, tablesFromBetas, type ScheduleTables } from './schedule/tables.js';
export { gaussianTensor, gaussianValues } from './random/gaussian.js';
export { tensor, type FloatArray, type Tensor } from './tensor.js';
export { DiffspecInputError } from './errors.js';
export { SPEC_GROUPS } from '../spec/groups/index.js';
export type { CheckKind, SpecCheck, SpecGroup } from './speckit/check.js';
export type { BackendExpectations, Expectation } from './speckit/expectations.js';
export { CHECK_TIMEOUT_MS, describeConformance, describeSpecGroup, type ConformanceOptions } from './speckit/vitest.js';
