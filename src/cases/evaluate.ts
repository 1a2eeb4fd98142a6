import type { DiffusionBackend } from '../contract/backend.js';
import { resolveProfile } from '../conventions/profile.js';
import { DiffspecInputError, requireInput, shown } from '../errors.js';
import { ALL_OPERATIONS } from '../operations/index.js';
import type { AnyOperation, CaseOutputs, FieldKind } from '../operations/operation.js';
import { parseScheduleSpec } from '../schedule/spec.js';
import { checkTensor, type Tensor } from '../tensor.js';
import { OPTIONAL, REVERSE_OPTION_KEYS, SECTION } from './sections.js';

export type { CaseOutputs } from '../operations/operation.js';

/** The operations case files can express, by case name. */
export const CASE_OPS: Readonly<Record<string, AnyOperation>> = Object.fromEntries(
  ALL_OPERATIONS.flatMap((op) => (typeof op.caseName === 'string' ? [[op.caseName, op]] : [])),
);

function tensorInput(inputs: Record<string, unknown>, name: string): Tensor {
  const raw = inputs[name];
  const field = `inputs.${name}`;
  const isObject = raw !== null && typeof raw === 'object' && !Array.isArray(raw);
  requireInput(isObject, field, 'must be a tensor {"shape": [...], "data": [...]}');
  const { shape, data } = raw as { shape?: unknown; data?: unknown };
  requireInput(Array.isArray(data), `${field}.data`, 'must be an array of numbers');
  data.forEach((v, i) => {
    const finite = typeof v === 'number' && Number.isFinite(v);
    requireInput(finite, `${field}.data[${i}]`, `must be a finite number, got ${shown(v)}`);
  });
  return checkTensor(field, { shape, data: Float64Array.from(data as number[]) });
}

function integerList(inputs: Record<string, unknown>, name: string): number[] {
  const raw = inputs[name];
  requireInput(Array.isArray(raw), `inputs.${name}`, 'must be an array with one integer timestep per batch element');
  raw.forEach((v, i) => {
    const integer = typeof v === 'number' && Number.isInteger(v);
    requireInput(integer, `inputs.${name}[${i}]`, `must be an integer, got ${shown(v)}`);
  });
  return raw as number[];
}

const out = (t: Tensor) => ({ shape: [...t.shape], data: Array.from(t.data) });

/** The plain conversion of a result: a bare tensor under the operation's one result name, or each named field. */
function caseOutputs(op: AnyOperation, result: unknown): CaseOutputs {
  if (op.caseOutputs) return op.caseOutputs(result);
  if (op.resultIsTensor) return { [op.results[0]]: out(result as Tensor) };
  return Object.fromEntries(op.results.map((name) => [name, out((result as Record<string, Tensor>)[name])]));
}

const CASE_KEYS = ['op', 'schedule', 'inputs', 'options', 'profile'];

function objectField(value: unknown, field: string): Record<string, unknown> {
  if (value === undefined) return {};
  requireInput(value !== null && typeof value === 'object' && !Array.isArray(value), field, 'must be an object');
  return value as Record<string, unknown>;
}

/**
 * The operation's arguments from a case, and where the case file keeps each (to name a field as the file spells it).
 * Unknown and missing fields are errors naming them.
 */
async function caseArguments(backend: DiffusionBackend, op: AnyOperation, c: Record<string, unknown>) {
  const fields = Object.entries(op.fields as Record<string, FieldKind>);
  const inputFields = fields.filter(([, kind]) => SECTION[kind] === 'inputs');
  const optionFields = fields.filter(([, kind]) => SECTION[kind] === 'options' && !REVERSE_OPTION_KEYS[kind]);
  const reverseOptionKeys = fields.flatMap(([, kind]) => REVERSE_OPTION_KEYS[kind] ?? []);
  const optionNames = [...optionFields.map(([name]) => name), ...reverseOptionKeys];
  const inputs = objectField(c.inputs, 'inputs');
  const options = objectField(c.options, 'options');
  const inputNames = inputFields.map(([name]) => name);
  for (const key of Object.keys(inputs)) {
    if (inputNames.includes(key)) continue;
    const known = inputNames.join(', ') || 'none';
    throw new DiffspecInputError(`inputs.${key}`, `is not an input of ${c.op} (inputs: ${known})`);
  }
  for (const key of Object.keys(options)) {
    if (optionNames.includes(key)) continue;
    const known = optionNames.join(', ') || 'none';
    throw new DiffspecInputError(`options.${key}`, `is not an option of ${c.op} (options: ${known})`);
  }

  const args: Record<string, unknown> = {};
  const scheduleField = fields.find(([, kind]) => SECTION[kind] === 'schedule');
  if (scheduleField) {
    requireInput(c.schedule !== undefined, 'schedule', `is required by ${c.op}`);
    const spec = parseScheduleSpec(c.schedule);
    args[scheduleField[0]] = scheduleField[1] === 'schedule' ? await backend.schedule(spec) : spec;
  } else {
    requireInput(c.schedule === undefined, 'schedule', `is not used by ${c.op}`);
  }
  for (const [name, kind] of [...inputFields, ...optionFields]) {
    const given = SECTION[kind] === 'inputs' ? inputs : options;
    if (!(name in given)) {
      requireInput(OPTIONAL.has(kind), `${SECTION[kind]}.${name}`, `is required by ${c.op}`);
      continue;
    }
    if (kind === 'tensor' || kind === 'optional tensor') args[name] = tensorInput(inputs, name);
    else if (kind === 'timesteps') args[name] = integerList(inputs, name);
    else args[name] = given[name];
  }
  const reverseOptions = fields.find(([, kind]) => REVERSE_OPTION_KEYS[kind]);
  if (reverseOptions) args[reverseOptions[0]] = options;

  return { args, sectionOf: new Map(fields.map(([name, kind]) => [name, SECTION[kind]])) };
}

/**
 * Validates a parsed case and evaluates it on a backend: case-file JSON -> the operation's arguments -> its
 * validator (src/operations) -> the backend. Errors name the offending field as the case file spells it.
 */
export async function evaluateCase(backend: DiffusionBackend, raw: unknown): Promise<CaseOutputs> {
  const isObject = raw !== null && typeof raw === 'object' && !Array.isArray(raw);
  requireInput(isObject, 'case', 'must be a JSON object {"op", "schedule", "inputs", "options", "profile"}');
  const c = raw as Record<string, unknown>;
  for (const key of Object.keys(c)) {
    requireInput(CASE_KEYS.includes(key), key, `is not a case field (known: ${CASE_KEYS.join(', ')})`);
  }
  const ops = Object.keys(CASE_OPS).join(', ');
  const op = typeof c.op === 'string' && Object.hasOwn(CASE_OPS, c.op) ? CASE_OPS[c.op] : undefined;
  requireInput(op, 'op', `must be one of ${ops}, got ${JSON.stringify(c.op)}`);
  // Timesteps and outputs follow the case's profile (src/conventions): the backend must follow the same.
  const conventions = resolveProfile(c.profile);
  const followed = resolveProfile(backend.profile).profile;
  const differs = `is ${conventions.profile}, but backend ${backend.name} follows ${followed}`;
  requireInput(followed === conventions.profile, 'profile', differs);
  const { args, sectionOf } = await caseArguments(backend, op, c);
  let outputs: CaseOutputs;
  try {
    const operationArgs = op.argsFromFields ? op.argsFromFields(args) : args;
    op.validate(operationArgs, conventions);
    const method = backend[op.method as keyof DiffusionBackend] as (a: unknown) => Promise<unknown>;
    outputs = caseOutputs(op, await method.call(backend, operationArgs));
  } catch (e) {
    // The contract names its arguments (t, xt, dim, ...); in a case file they live under "inputs" or "options".
    if (!(e instanceof DiffspecInputError)) throw e;
    const section = sectionOf.get(e.field.split(/[.[]/)[0]);
    if (section === 'inputs' || (section === 'options' && !e.field.startsWith('options'))) {
      throw new DiffspecInputError(`${section}.${e.field}`, e.message.slice(e.field.length + 2));
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
