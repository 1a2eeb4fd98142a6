import type { DenoiserModel, Timesteps } from '../contract/backend.js';
import type {
  AdamStepArgs,
  LossGradientArgs,
  LossGradientResult,
  PredictArgs,
  TrainingBackend,
  Weights,
} from '../contract/training.js';
import type { ModelSpec } from '../models/spec.js';
import { checkWeights } from '../models/weights.js';
import type { ScheduleTables } from '../schedule/tables.js';
import type { Tensor } from '../tensor.js';
import {
  checkAdamArgs,
  checkDenoiser,
  checkDenoiserCall,
  checkLossArgs,
  checkPredictArgs,
  checkSampleTimestepsArgs,
} from '../training/arguments.js';
import { hostTrainer } from '../training/host-trainer.js';
import { snakeCase } from './operations.js';
import { decodeTensor, encodeTensor, isRecord } from './wire.js';

/** How a training request carries a field: the section of the request, and what the value is there. */
type FieldCarrier =
  | { section: 'schedule'; kind: 'schedule' } // the schedule's spec, as the other operations send it
  | { section: 'inputs'; kind: 'tensor' | 'weights' | 'integers'; optional?: true }
  | { section: 'options'; kind: 'value' }; // JSON as it is: the model spec, numbers, Adam's hyper-parameters

/** What a result field is: a number, a tensor, a record of tensors (by parameter name) or a list of integers. */
type ResultKind = 'number' | 'tensor' | 'weights' | 'integers';

/** The pure operations of the training contract (src/contract/training.ts) the protocol carries. */
type PureMethod = 'predict' | 'lossAndGradients' | 'adamStep' | 'sampleTimesteps';

/**
 * One training operation of the protocol: its TrainingBackend method and how each of the method's argument fields
 * and result fields travels. The types make each table entry list exactly the contract's fields.
 */
interface TrainingOperation<M extends PureMethod, F, R> {
  method: M;
  /** Every field of the argument (for sampleTimesteps: its parameters, in order). */
  fields: { readonly [K in keyof F]-?: FieldCarrier };
  /** The result's fields; a result that is one value itself (a tensor, timesteps) has one, named here. */
  results: { readonly [K in keyof R]-?: ResultKind };
  resultIsValue?: true;
}

const tensorIn = { section: 'inputs', kind: 'tensor' } as const;
const option = { section: 'options', kind: 'value' } as const;

const PREDICT: TrainingOperation<'predict', PredictArgs, { modelOutput: Tensor }> = {
  method: 'predict',
  fields: {
    model: option,
    weights: { section: 'inputs', kind: 'weights' },
    x: tensorIn,
    t: { section: 'inputs', kind: 'integers' },
    T: option,
    labels: { section: 'inputs', kind: 'integers', optional: true },
  },
  results: { modelOutput: 'tensor' },
  resultIsValue: true,
};

const LOSS_AND_GRADIENTS: TrainingOperation<'lossAndGradients', LossGradientArgs, LossGradientResult> = {
  method: 'lossAndGradients',
  fields: {
    model: option,
    weights: { section: 'inputs', kind: 'weights' },
    schedule: { section: 'schedule', kind: 'schedule' },
    x0: tensorIn,
    t: { section: 'inputs', kind: 'integers' },
    noise: tensorIn,
    labels: { section: 'inputs', kind: 'integers', optional: true },
  },
  results: { loss: 'number', perSample: 'tensor', gradients: 'weights' },
};

const ADAM_STEP: TrainingOperation<'adamStep', AdamStepArgs, Awaited<ReturnType<TrainingBackend['adamStep']>>> = {
  method: 'adamStep',
  fields: { param: tensorIn, grad: tensorIn, m: tensorIn, v: tensorIn, step: option, hyper: option },
  results: { param: 'tensor', m: 'tensor', v: 'tensor' },
};

/** sampleTimesteps(n, T, seed, stream): positional in the contract, named fields on the wire. */
const SAMPLE_TIMESTEPS: TrainingOperation<
  'sampleTimesteps',
  Record<'n' | 'T' | 'seed' | 'stream', number>,
  { t: Int32Array }
> = {
  method: 'sampleTimesteps',
  fields: { n: option, T: option, seed: option, stream: option },
  results: { t: 'integers' },
  resultIsValue: true,
};

type AnyTrainingOperation = TrainingOperation<PureMethod, object, object>;

/** The training operations, in the order docs/protocol.md lists them; each needs the 'training' capability. */
export const TRAINING_OPERATIONS: readonly { operation: AnyTrainingOperation; name: string }[] = [
  PREDICT,
  LOSS_AND_GRADIENTS,
  ADAM_STEP,
  SAMPLE_TIMESTEPS,
].map((operation) => ({ operation: operation as AnyTrainingOperation, name: snakeCase(operation.method) }));

/** The request params of a training operation: the case-file layout of the other operations. */
function requestParams(
  op: AnyTrainingOperation,
  fields: Record<string, unknown>,
  specOf: (s: ScheduleTables) => unknown,
) {
  const params: { schedule?: unknown; inputs: Record<string, unknown>; options: Record<string, unknown> } = {
    inputs: {},
    options: {},
  };
  for (const [name, carrier] of Object.entries(op.fields as Record<string, FieldCarrier>)) {
    const value = fields[name];
    if (value === undefined) continue;
    if (carrier.kind === 'schedule') params.schedule = specOf(value as ScheduleTables);
    else if (carrier.kind === 'tensor') params.inputs[name] = encodeTensor(value as Tensor);
    else if (carrier.kind === 'weights')
      params.inputs[name] = Object.fromEntries(Object.entries(value as Weights).map(([p, t]) => [p, encodeTensor(t)]));
    else if (carrier.kind === 'integers') params.inputs[name] = Array.from(value as ArrayLike<number>);
    else params.options[name] = value;
  }
  return params;
}

function decodeResultField(kind: ResultKind, value: unknown, path: string): unknown {
  if (kind === 'number') {
    if (typeof value !== 'number') throw new Error(`${path} is ${JSON.stringify(value)?.slice(0, 80)}, not a number`);
    return value;
  }
  if (kind === 'tensor') return decodeTensor(value, path);
  if (kind === 'integers') {
    if (!Array.isArray(value) || !value.every((v) => Number.isInteger(v)))
      throw new Error(`${path} is ${JSON.stringify(value)?.slice(0, 80)}, not a list of integers`);
    return Int32Array.from(value as number[]);
  }
  if (!isRecord(value)) throw new Error(`${path} is ${JSON.stringify(value)?.slice(0, 80)}, not a record of tensors`);
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, decodeTensor(v, `${path}.${k}`)]));
}

/** The contract's result from a program's answer, with a message naming the result field it got wrong. */
function decodeResult({ operation: op, name }: (typeof TRAINING_OPERATIONS)[number], result: unknown, label: string) {
  if (!isRecord(result))
    throw new Error(`${label} answered ${name} with ${JSON.stringify(result)?.slice(0, 80)}, not an object`);
  const kinds = Object.entries(op.results as Record<string, ResultKind>);
  const missing = kinds.filter(([r]) => !(r in result)).map(([r]) => r);
  if (missing.length > 0)
    throw new Error(
      `${label} answered ${name} without ${missing.join(', ')} (result fields: ${kinds.map(([r]) => r)})`,
    );
  const decoded = Object.fromEntries(
    kinds.map(([r, kind]) => [r, decodeResultField(kind, result[r], `${name} result ${r}`)]),
  );
  return op.resultIsValue ? decoded[kinds[0][0]] : decoded;
}

/** Sends one request to the program and answers its result; errors come back as the contract reports them. */
export type TrainingCall = (name: string, params: unknown) => Promise<unknown>;

/**
 * The training half of a program's backend: the pure operations are requests (checked here first, so every program
 * rejects bad input naming the field, as compose.ts does); the denoiser calls `predict`; the trainer is composed on
 * the host from the pure operations (src/training/host-trainer.ts), its noise from `noise`.
 */
export function programTraining(
  call: TrainingCall,
  label: string,
  specOf: (s: ScheduleTables) => unknown,
  noise: (shape: readonly number[], seed: number, stream: number) => Promise<Tensor>,
): TrainingBackend {
  const request = async (method: PureMethod, fields: Record<string, unknown>) => {
    const entry = TRAINING_OPERATIONS.find((o) => o.operation.method === method)!;
    return decodeResult(entry, await call(entry.name, requestParams(entry.operation, fields, specOf)), label);
  };
  const predict = async (args: PredictArgs) => {
    const { t, labels } = checkPredictArgs(args);
    return (await request('predict', { ...args, t, labels })) as Tensor;
  };
  const lossAndGradients = async (args: LossGradientArgs) => {
    const { t, labels } = checkLossArgs(args);
    const result = (await request('lossAndGradients', { ...args, t, labels })) as LossGradientResult;
    checkWeights(args.model, result.gradients, `${label} loss_and_gradients result gradients`);
    return result;
  };
  const adamStep = async (args: AdamStepArgs) => {
    checkAdamArgs(args);
    return (await request('adamStep', { ...args })) as { param: Tensor; m: Tensor; v: Tensor };
  };
  const sampleTimesteps = async (n: number, T: number, seed: number, stream: number) => {
    checkSampleTimestepsArgs(n, T, seed);
    return (await request('sampleTimesteps', { n, T, seed, stream })) as Int32Array;
  };
  const ops = { lossAndGradients, adamStep, sampleTimesteps };
  return {
    predict,
    async denoiser(model: ModelSpec, weights: Weights, T: number, labels?: Int32Array) {
      checkDenoiser(model, weights, T);
      const denoise: DenoiserModel = async (x: Tensor, t: Timesteps) => {
        const checked = checkDenoiserCall(model, T, x, t, labels);
        return (await request('predict', { model, weights, x, T, ...checked })) as Tensor;
      };
      return { model: denoise, dispose: () => undefined };
    },
    lossAndGradients,
    sampleTimesteps,
    adamStep,
    createTrainer: (model, schedule, state, options) => hostTrainer(ops, noise, model, schedule, state, options),
    async runGraph() {
      throw new Error(`${label}: network fragments (runGraph) are not in the process protocol`);
    },
  };
}

function carried(op: AnyTrainingOperation, section: FieldCarrier['section']): string {
  const fields = Object.entries(op.fields as Record<string, FieldCarrier>).filter(([, c]) => c.section === section);
  return fields.map(([name, c]) => `\`${name}\`${'optional' in c ? '?' : ''}`).join(', ') || '—';
}

/** The training operations as docs/protocol.md lists them (test/process-protocol.spec.ts keeps the two equal). */
export function trainingOperationsMarkdown(): string {
  const rows = TRAINING_OPERATIONS.map(({ operation: op, name }) => {
    const results = Object.entries(op.results as Record<string, ResultKind>).map(([r, kind]) => `\`${r}\` (${kind})`);
    const schedule = carried(op, 'schedule') === '—' ? '—' : 'yes';
    const cells = [`\`${name}\``, `\`${op.method}\``, schedule, carried(op, 'inputs'), carried(op, 'options')];
    return `| ${[...cells, results.join(', ')].join(' | ')} |`;
  });
  return [
    '| method | TrainingBackend | schedule | inputs | options | result |',
    '|---|---|---|---|---|---|',
    ...rows,
  ].join('\n');
}
