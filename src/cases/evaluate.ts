import type { DiffusionBackend, ReverseOptions } from '../contract/backend.js';
import { DiffspecInputError, requireInput } from '../errors.js';
import { parseScheduleSpec } from '../schedule/spec.js';
import type { ScheduleTables } from '../schedule/tables.js';
import { checkTensor, type Tensor } from '../tensor.js';

/** One case of the case-file format (README, "Case files"). */
export interface Case {
  op: string;
  schedule?: unknown;
  inputs?: Record<string, unknown>;
  options?: Record<string, unknown>;
}

export type CaseOutputs = Record<string, { shape: number[]; data: number[] } | number[] | number>;

interface OpDefinition {
  needsSchedule: boolean;
  inputs: readonly string[];
  optionalInputs?: readonly string[];
  options: readonly string[];
  evaluate(backend: DiffusionBackend, s: ScheduleTables | undefined, inputs: Record<string, unknown>, options: Record<string, unknown>): Promise<CaseOutputs>;
}

const REVERSE_OPTIONS = ['prediction', 'variance', 'clip'] as const;

function tensorInput(inputs: Record<string, unknown>, name: string): Tensor {
  const raw = inputs[name];
  const field = `inputs.${name}`;
  requireInput(raw !== null && typeof raw === 'object' && !Array.isArray(raw), field, 'must be a tensor {"shape": [...], "data": [...]}');
  const { shape, data } = raw as { shape?: unknown; data?: unknown };
  requireInput(Array.isArray(data), `${field}.data`, 'must be an array of numbers');
  data.forEach((v, i) => requireInput(typeof v === 'number' && Number.isFinite(v), `${field}.data[${i}]`, `must be a finite number, got ${JSON.stringify(v)}`));
  return checkTensor(field, { shape, data: Float64Array.from(data as number[]) });
}

function integerList(inputs: Record<string, unknown>, name: string): number[] {
  const raw = inputs[name];
  requireInput(Array.isArray(raw), `inputs.${name}`, 'must be an array with one integer timestep per batch element');
  raw.forEach((v, i) => requireInput(typeof v === 'number' && Number.isInteger(v), `inputs.${name}[${i}]`, `must be an integer, got ${JSON.stringify(v)}`));
  return raw as number[];
}

const out = (t: Tensor) => ({ shape: [...t.shape], data: Array.from(t.data) });

const reverseOptions = (o: Record<string, unknown>): ReverseOptions => o as ReverseOptions;

/** The operations of the case-file format, with their inputs, options and outputs. */
export const CASE_OPS: Record<string, OpDefinition> = {
  schedule: {
    needsSchedule: true,
    inputs: [],
    options: [],
    async evaluate(_b, s) {
      return { betas: Array.from(s!.betas.subarray(1)), alphas: Array.from(s!.alphas.subarray(1)), alphaBar: Array.from(s!.alphaBar.subarray(1)) };
    },
  },
  forward_step: {
    needsSchedule: true,
    inputs: ['xPrev', 'noise', 't'],
    options: [],
    async evaluate(b, s, i) {
      return { xt: out(await b.forwardStep({ schedule: s!, xPrev: tensorInput(i, 'xPrev'), noise: tensorInput(i, 'noise'), t: integerList(i, 't') })) };
    },
  },
  q_sample: {
    needsSchedule: true,
    inputs: ['x0', 'noise', 't'],
    options: [],
    async evaluate(b, s, i) {
      return { xt: out(await b.qSample({ schedule: s!, x0: tensorInput(i, 'x0'), noise: tensorInput(i, 'noise'), t: integerList(i, 't') })) };
    },
  },
  q_posterior: {
    needsSchedule: true,
    inputs: ['x0', 'xt', 't'],
    options: [],
    async evaluate(b, s, i) {
      const r = await b.qPosterior({ schedule: s!, x0: tensorInput(i, 'x0'), xt: tensorInput(i, 'xt'), t: integerList(i, 't') });
      return { mean: out(r.mean), variance: out(r.variance), logVarianceClipped: out(r.logVarianceClipped) };
    },
  },
  p_mean_variance: {
    needsSchedule: true,
    inputs: ['xt', 't', 'modelOutput'],
    options: REVERSE_OPTIONS,
    async evaluate(b, s, i, o) {
      const r = await b.pMeanVariance({ schedule: s!, xt: tensorInput(i, 'xt'), t: integerList(i, 't'), modelOutput: tensorInput(i, 'modelOutput'), options: reverseOptions(o) });
      return { mean: out(r.mean), variance: out(r.variance), logVariance: out(r.logVariance), predX0: out(r.predX0) };
    },
  },
  ddpm_step: {
    needsSchedule: true,
    inputs: ['xt', 't', 'modelOutput', 'noise'],
    options: REVERSE_OPTIONS,
    async evaluate(b, s, i, o) {
      const r = await b.ddpmStep({ schedule: s!, xt: tensorInput(i, 'xt'), t: integerList(i, 't'), modelOutput: tensorInput(i, 'modelOutput'), noise: tensorInput(i, 'noise'), options: reverseOptions(o) });
      return { prev: out(r.prev), predX0: out(r.predX0) };
    },
  },
  ddim_step: {
    needsSchedule: true,
    inputs: ['xt', 't', 'tPrev', 'modelOutput'],
    optionalInputs: ['noise'],
    options: [...REVERSE_OPTIONS, 'eta'],
    async evaluate(b, s, i, o) {
      const r = await b.ddimStep({
        schedule: s!,
        xt: tensorInput(i, 'xt'),
        t: integerList(i, 't'),
        tPrev: integerList(i, 'tPrev'),
        modelOutput: tensorInput(i, 'modelOutput'),
        noise: i.noise === undefined ? undefined : tensorInput(i, 'noise'),
        options: reverseOptions(o),
      });
      return { prev: out(r.prev), predX0: out(r.predX0) };
    },
  },
  ddim_reverse_step: {
    needsSchedule: true,
    inputs: ['xt', 't', 'tNext', 'modelOutput'],
    options: REVERSE_OPTIONS,
    async evaluate(b, s, i, o) {
      const r = await b.ddimReverseStep({ schedule: s!, xt: tensorInput(i, 'xt'), t: integerList(i, 't'), tNext: integerList(i, 'tNext'), modelOutput: tensorInput(i, 'modelOutput'), options: reverseOptions(o) });
      return { next: out(r.next) };
    },
  },
  loss_simple: {
    needsSchedule: true,
    inputs: ['x0', 'noise', 't', 'modelOutput'],
    options: [],
    async evaluate(b, s, i) {
      const r = await b.lossSimple({ schedule: s!, x0: tensorInput(i, 'x0'), noise: tensorInput(i, 'noise'), t: integerList(i, 't'), modelOutput: tensorInput(i, 'modelOutput') });
      return { perSample: Array.from(r.perSample.data), loss: r.loss };
    },
  },
  timestep_embedding: {
    needsSchedule: false,
    inputs: ['t'],
    options: ['dim', 'maxPeriod'],
    async evaluate(b, _s, i, o) {
      requireInput(Array.isArray(i.t), 'inputs.t', 'must be an array of numbers');
      requireInput(o.dim !== undefined, 'options.dim', 'is required (the embedding width)');
      return { embedding: out(await b.timestepEmbedding({ t: i.t as number[], dim: o.dim as number, maxPeriod: o.maxPeriod as number | undefined })) };
    },
  },
};

const CASE_KEYS = ['op', 'schedule', 'inputs', 'options'];

function objectField(value: unknown, field: string): Record<string, unknown> {
  if (value === undefined) return {};
  requireInput(value !== null && typeof value === 'object' && !Array.isArray(value), field, 'must be an object');
  return value as Record<string, unknown>;
}

/** Validates a parsed case and evaluates it on a backend. Errors name the offending field. */
export async function evaluateCase(backend: DiffusionBackend, raw: unknown): Promise<CaseOutputs> {
  requireInput(raw !== null && typeof raw === 'object' && !Array.isArray(raw), 'case', 'must be a JSON object {"op", "schedule", "inputs", "options"}');
  const c = raw as Record<string, unknown>;
  for (const key of Object.keys(c)) if (!CASE_KEYS.includes(key)) throw new DiffspecInputError(key, `is not a case field (known: ${CASE_KEYS.join(', ')})`);
  requireInput(typeof c.op === 'string' && c.op in CASE_OPS, 'op', `must be one of ${Object.keys(CASE_OPS).join(', ')}, got ${JSON.stringify(c.op)}`);
  const def = CASE_OPS[c.op];
  const inputs = objectField(c.inputs, 'inputs');
  const options = objectField(c.options, 'options');
  for (const key of Object.keys(inputs)) {
    if (!def.inputs.includes(key) && !def.optionalInputs?.includes(key)) throw new DiffspecInputError(`inputs.${key}`, `is not an input of ${c.op} (inputs: ${[...def.inputs, ...(def.optionalInputs ?? [])].join(', ') || 'none'})`);
  }
  for (const key of Object.keys(options)) {
    if (!def.options.includes(key)) throw new DiffspecInputError(`options.${key}`, `is not an option of ${c.op} (options: ${def.options.join(', ') || 'none'})`);
  }
  let schedule: ScheduleTables | undefined;
  if (def.needsSchedule) {
    requireInput(c.schedule !== undefined, 'schedule', `is required by ${c.op}`);
    schedule = await backend.schedule(parseScheduleSpec(c.schedule));
  } else {
    requireInput(c.schedule === undefined, 'schedule', `is not used by ${c.op}`);
  }
  for (const key of def.inputs) requireInput(key in inputs, `inputs.${key}`, `is required by ${c.op}`);
  let outputs: CaseOutputs;
  try {
    outputs = await def.evaluate(backend, schedule, inputs, options);
  } catch (e) {
    // The contract names its arguments (t, xt, ...); in a case file they live under "inputs".
    const root = e instanceof DiffspecInputError ? e.field.split(/[.[]/)[0] : '';
    if (e instanceof DiffspecInputError && [...def.inputs, ...(def.optionalInputs ?? [])].includes(root)) {
      throw new DiffspecInputError(`inputs.${e.field}`, e.message.slice(e.field.length + 2));
    }
    throw e;
  }
  assertFinite(outputs);
  return outputs;
}

/** A backend must never hand back a silent NaN: any non-finite output is an error naming it. */
function assertFinite(outputs: CaseOutputs): void {
  for (const [name, value] of Object.entries(outputs)) {
    const values = typeof value === 'number' ? [value] : Array.isArray(value) ? value : value.data;
    const i = values.findIndex((v) => !Number.isFinite(v));
    if (i >= 0) throw new Error(`output ${name}[${i}] is ${values[i]}: the backend produced a non-finite value`);
  }
}
