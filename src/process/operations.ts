import type { DiffusionBackend } from '../contract/backend.js';

/** How an operation's argument travels (as in a case file): in "schedule", under "inputs" or under "options". */
export type FieldKind =
  | 'schedule'
  | 'schedule spec'
  | 'tensor'
  | 'optional tensor'
  | 'timesteps'
  | 'times'
  | 'integer'
  | 'optional integers'
  | 'optional number'
  | 'shape'
  | 'model'
  | 'reverse options'
  | 'reverse options with eta';

/** One operation of the protocol: the contract method it serves, its request name, its fields and result names. */
export interface ProtocolOperation {
  method: keyof DiffusionBackend & string;
  name: string;
  fields: Readonly<Record<string, FieldKind>>;
  results: readonly string[];
  /** The contract returns the one result tensor itself rather than a record of results. */
  bare: boolean;
}

const REVERSE = { schedule: 'schedule', xt: 'tensor', t: 'timesteps', modelOutput: 'tensor' } as const;

// TEMPORARY until src/operations (branch ops-table) is merged; then this list derives from that table.
export const PROTOCOL_OPERATIONS: readonly ProtocolOperation[] = [
  { method: 'schedule', name: 'schedule', fields: { spec: 'schedule spec' }, results: ['betas', 'alphas', 'alphaBar'], bare: true },
  { method: 'randomNormal', name: 'random_normal', fields: { shape: 'shape', seed: 'integer', stream: 'integer' }, results: ['noise'], bare: true },
  {
    method: 'forwardStep',
    name: 'forward_step',
    fields: { schedule: 'schedule', xPrev: 'tensor', noise: 'tensor', t: 'timesteps' },
    results: ['xt'],
    bare: true,
  },
  { method: 'qSample', name: 'q_sample', fields: { schedule: 'schedule', x0: 'tensor', noise: 'tensor', t: 'timesteps' }, results: ['xt'], bare: true },
  {
    method: 'forwardChain',
    name: 'forward_chain',
    fields: { schedule: 'schedule', x0: 'tensor', t: 'integer', seed: 'integer', recordAt: 'optional integers' },
    results: ['xt', 'recorded'],
    bare: false,
  },
  {
    method: 'qPosterior',
    name: 'q_posterior',
    fields: { schedule: 'schedule', x0: 'tensor', xt: 'tensor', t: 'timesteps' },
    results: ['mean', 'variance', 'logVarianceClipped'],
    bare: false,
  },
  {
    method: 'pMeanVariance',
    name: 'p_mean_variance',
    fields: { ...REVERSE, options: 'reverse options' },
    results: ['mean', 'variance', 'logVariance', 'predX0'],
    bare: false,
  },
  { method: 'ddpmStep', name: 'ddpm_step', fields: { ...REVERSE, noise: 'tensor', options: 'reverse options' }, results: ['prev', 'predX0'], bare: false },
  {
    method: 'ddimStep',
    name: 'ddim_step',
    fields: { ...REVERSE, tPrev: 'timesteps', noise: 'optional tensor', options: 'reverse options with eta' },
    results: ['prev', 'predX0'],
    bare: false,
  },
  {
    method: 'ddimReverseStep',
    name: 'ddim_reverse_step',
    fields: { ...REVERSE, tNext: 'timesteps', options: 'reverse options' },
    results: ['next'],
    bare: false,
  },
  {
    method: 'sampleDdpm',
    name: 'sample_ddpm',
    fields: { schedule: 'schedule', shape: 'shape', model: 'model', seed: 'integer', options: 'reverse options' },
    results: ['x0'],
    bare: true,
  },
  {
    method: 'sampleDdim',
    name: 'sample_ddim',
    fields: { schedule: 'schedule', shape: 'shape', model: 'model', seed: 'integer', timesteps: 'timesteps', options: 'reverse options with eta' },
    results: ['x0'],
    bare: true,
  },
  {
    method: 'lossSimple',
    name: 'loss_simple',
    fields: { schedule: 'schedule', x0: 'tensor', noise: 'tensor', t: 'timesteps', modelOutput: 'tensor' },
    results: ['perSample', 'loss'],
    bare: false,
  },
  { method: 'timestepEmbedding', name: 'timestep_embedding', fields: { t: 'times', dim: 'integer', maxPeriod: 'optional number' }, results: ['embedding'], bare: true },
];
