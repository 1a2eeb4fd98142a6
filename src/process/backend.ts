import { REVERSE_OPTION_KEYS, SECTION } from '../cases/sections.js';
import type { Capability, DenoiserModel, DiffusionBackend, Precision } from '../contract/backend.js';
import { DEFAULT_PROFILE, type ProfileSpec, resolveProfile } from '../conventions/profile.js';
import { DiffspecInputError } from '../errors.js';
import type { AnyOperation, FieldKind } from '../operations/operation.js';
import { packageVersion } from '../paths.js';
import { gaussianTensor } from '../random/gaussian.js';
import type { ScheduleTables } from '../schedule/tables.js';
import type { Tensor } from '../tensor.js';
import {
  type CallbackHandlers,
  type ProgramCommand,
  ProgramConnection,
  ProgramError,
  ProgramFailure,
} from './connection.js';
import { PROTOCOL_OPERATIONS, type ProtocolOperation } from './operations.js';
import { DEFAULT_TIMEOUT_MS } from './selector.js';
import { tablesFromProgram } from './tables.js';
import { programTraining, type TrainingCall } from './training.js';
import { decodeTensor, encodeTensor, isRecord } from './wire.js';

/** The newest protocol version diffspec speaks; a program answers the version it speaks, any of PROTOCOL_VERSIONS. */
const PROTOCOL_VERSION = 2;

/**
 * The capabilities a program may declare, by protocol version (docs/protocol.md, "Version history"): version 2 adds
 * the training operations; memory and the architectures' network fragments are in neither.
 */
const PROTOCOL_CAPABILITIES: Readonly<Record<number, readonly Capability[]>> = {
  1: ['schedule', 'forward', 'reverse', 'sampling', 'loss', 'embedding', 'random'],
  2: ['schedule', 'forward', 'reverse', 'sampling', 'loss', 'embedding', 'random', 'training'],
};
const PROTOCOL_VERSIONS = Object.keys(PROTOCOL_CAPABILITIES).map(Number);

/** What a program says about itself in `initialize`. */
interface Handshake {
  protocolVersion: number;
  name: string;
  precision: Precision;
  capabilities: Capability[];
  metadata: Record<string, string>;
  /** The declared convention profile (src/conventions/profile.ts), and its name for reports. */
  profile: ProfileSpec;
  profileName: string;
}

/** Validates the result of `initialize`; throws a message naming the field the program got wrong. */
function parseHandshake(result: unknown): Handshake {
  const fail = (field: string, detail: string): never => {
    throw new Error(`initialize answered ${field} ${detail}`);
  };
  if (!isRecord(result)) return fail('', `${JSON.stringify(result)}, not an object`);
  const version = result.protocolVersion as number;
  if (!PROTOCOL_VERSIONS.includes(version)) {
    fail(
      'protocolVersion',
      `${JSON.stringify(result.protocolVersion)}; this diffspec speaks versions ${PROTOCOL_VERSIONS.join(', ')}`,
    );
  }
  if (typeof result.name !== 'string' || !/^[A-Za-z0-9][A-Za-z0-9_.:-]*$/.test(result.name)) {
    fail('name', `${JSON.stringify(result.name)}; expected a name of letters, digits and _ . : -`);
  }
  if (result.precision !== 'float64' && result.precision !== 'float32')
    fail('precision', `${JSON.stringify(result.precision)}; expected "float64" or "float32"`);
  const capabilities = result.capabilities;
  if (!Array.isArray(capabilities)) return fail('capabilities', 'that is not an array');
  const known = PROTOCOL_CAPABILITIES[version];
  const unknown = capabilities.filter((c) => !known.includes(c as Capability));
  if (unknown.length > 0)
    fail('capabilities', `${JSON.stringify(unknown)}, not in protocol ${version} (${known.join(', ')})`);
  const metadata = result.metadata ?? {};
  if (!isRecord(metadata) || !Object.values(metadata).every((v) => typeof v === 'string'))
    fail('metadata', 'that is not an object of strings');
  const profile = (result.profile ?? DEFAULT_PROFILE) as ProfileSpec;
  let profileName = '';
  try {
    profileName = resolveProfile(profile).profile;
  } catch (e) {
    if (!(e instanceof DiffspecInputError)) throw e;
    fail(e.field, `${JSON.stringify(profile)}: ${e.message.slice(e.field.length + 2)}`);
  }
  return {
    protocolVersion: version,
    name: result.name as string,
    precision: result.precision as Precision,
    capabilities: capabilities as Capability[],
    metadata: metadata as Record<string, string>,
    profile,
    profileName,
  };
}

/**
 * A program's session: one running process at a time, started (with `initialize`) on first use and again after any
 * failure of the program itself, so one crash or hang fails one operation and the next gets a fresh process.
 * Calls are queued: the program answers one request at a time.
 */
class ProgramSession {
  private connection: ProgramConnection | undefined;
  private queue: Promise<unknown> = Promise.resolve();

  /** `first`: the handshake every start must repeat (another session's, for a second process of the program). */
  constructor(
    private readonly program: ProgramCommand,
    readonly label: string,
    private first?: Handshake,
  ) {}

  /** Starts the program if none runs, and returns its handshake. */
  start(): Promise<Handshake> {
    return this.enqueue(async () => {
      await this.connect();
      return this.first!;
    });
  }

  call(method: string, params: unknown, handlers?: CallbackHandlers): Promise<unknown> {
    return this.enqueue(async () => (await this.connect()).call(method, params, handlers));
  }

  close(): void {
    this.connection?.close();
    this.connection = undefined;
  }

  private enqueue<R>(task: () => Promise<R>): Promise<R> {
    const run = this.queue.then(task, task);
    this.queue = run.then(
      () => undefined,
      (e) => {
        if (e instanceof ProgramFailure) this.connection = undefined;
      },
    );
    return run;
  }

  private async connect(): Promise<ProgramConnection> {
    if (this.connection && !this.connection.failure) return this.connection;
    // A failure seen while idle (stray output between calls) is reported by the call that finds it.
    const previous = this.connection?.failure;
    this.connection = undefined;
    if (previous) throw previous;
    const connection = new ProgramConnection(this.program, this.label);
    this.connection = connection;
    // Start-up (an interpreter, its imports) on a loaded machine may take longer than an operation's time limit.
    const startupMs = Math.max(this.program.timeoutMs, DEFAULT_TIMEOUT_MS);
    const params = { protocolVersion: PROTOCOL_VERSION, client: 'diffspec', clientVersion: packageVersion() };
    const handshake = parseHandshake(await connection.call('initialize', params, {}, startupMs));
    if (
      this.first &&
      JSON.stringify({ ...handshake, metadata: {} }) !== JSON.stringify({ ...this.first, metadata: {} })
    ) {
      connection.close();
      throw new ProgramFailure(
        `${this.label} restarted as ${JSON.stringify(handshake)}, not as ${JSON.stringify(this.first)}`,
      );
    }
    this.first ??= handshake;
    return connection;
  }
}

/** The named fields of an operation's argument: the argument itself, or, where the table builds the argument from a
 * single field (schedule: the spec), that field. */
function namedFields(op: AnyOperation, args: unknown): Record<string, unknown> {
  const names = Object.keys(op.fields);
  if (!op.argsFromFields) return (args ?? {}) as Record<string, unknown>;
  if (names.length !== 1)
    throw new Error(`operation ${op.method}: its argument is built from several fields; the protocol cannot split it`);
  return { [names[0]]: args };
}

/** The request params of an operation as a case file carries them (src/cases/sections.ts). */
function requestParams(op: AnyOperation, args: unknown, specOf: (s: ScheduleTables) => unknown) {
  const fields = namedFields(op, args);
  const params: { schedule?: unknown; inputs: Record<string, unknown>; options: Record<string, unknown> } = {
    inputs: {},
    options: {},
  };
  let model: DenoiserModel | undefined;
  for (const [name, kind] of Object.entries(op.fields as Record<string, FieldKind>)) {
    const value = fields[name];
    if (value === undefined) continue;
    const section = SECTION[kind];
    if (kind === 'model') model = value as DenoiserModel;
    else if (section === 'schedule') params.schedule = kind === 'schedule' ? specOf(value as ScheduleTables) : value;
    else if (kind === 'tensor' || kind === 'optional tensor') params.inputs[name] = encodeTensor(value as Tensor);
    else if (REVERSE_OPTION_KEYS[kind]) Object.assign(params.options, value);
    else if (section)
      params[section][name] = ArrayBuffer.isView(value) ? Array.from(value as unknown as ArrayLike<number>) : value;
  }
  return { params, model };
}

/** A result value: tensors ({shape, data} or a plain array of numbers) decoded, numbers kept, records walked. */
function decodeValue(value: unknown, path: string): unknown {
  if (typeof value === 'number') return value;
  if (Array.isArray(value) && value.every((v) => typeof v === 'number')) return decodeTensor(value, path);
  if (Array.isArray(value)) return value.map((v, i) => decodeValue(v, `${path}[${i}]`));
  if (isRecord(value) && 'shape' in value) return decodeTensor(value, path);
  if (isRecord(value))
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, decodeValue(v, `${path}.${k}`)]));
  throw new Error(`${path} is ${JSON.stringify(value)?.slice(0, 80)}: expected a tensor, a number or a record of them`);
}

/** The contract's result from the program's answer: the record of `results`, or the one tensor itself. */
function decodeResult({ operation: op, name }: ProtocolOperation, result: unknown, label: string): unknown {
  if (!isRecord(result))
    throw new Error(`${label} answered ${name} with ${JSON.stringify(result)?.slice(0, 80)}, not an object`);
  const missing = op.results.filter((r) => !(r in result));
  if (missing.length > 0)
    throw new Error(
      `${label} answered ${name} without ${missing.join(', ')} (result fields: ${op.results.join(', ')})`,
    );
  const decoded = Object.fromEntries(op.results.map((r) => [r, decodeValue(result[r], `${name} result ${r}`)]));
  return op.resultIsTensor ? decoded[op.results[0]] : decoded;
}

/** A program's JSON-RPC error as diffspec reports it: with data.field, an input error naming that field. */
function operationError(e: unknown, name: string, label: string): unknown {
  if (!(e instanceof ProgramError)) return e;
  const field = isRecord(e.data) && typeof e.data.field === 'string' ? e.data.field : undefined;
  if (field !== undefined) return new DiffspecInputError(field, `${e.message} (${label}, ${name})`);
  return new Error(`${label} answered ${name} with error ${e.code}: ${e.message}`);
}

/** The model callback: x_t and t from the program, the model's output back (docs/protocol.md, "Callbacks"). */
function modelHandler(model: DenoiserModel, failures: unknown[]): CallbackHandlers {
  return {
    model: async (params) => {
      try {
        const inputs = isRecord(params) && isRecord(params.inputs) ? params.inputs : {};
        const xt = decodeTensor(inputs.xt, 'model request inputs.xt');
        if (!Array.isArray(inputs.t) || !inputs.t.every((v) => Number.isInteger(v)))
          throw new Error('model request inputs.t must be an array of integers');
        return { modelOutput: encodeTensor(await model(xt, Int32Array.from(inputs.t as number[]))) };
      } catch (e) {
        failures.push(e);
        throw e;
      }
    },
  };
}

/**
 * Starts the program and builds the DiffusionBackend that forwards each operation to it as one request. Every
 * operation of the table is forwarded; those outside the declared capabilities are never called by the checks.
 */
export async function programBackend(program: ProgramCommand, label: string): Promise<DiffusionBackend> {
  const session = new ProgramSession(program, label);
  // Training requests go to a second process of the program, started on the first of them, so that a sampling loop
  // in the first process can call back a model that the program's own network computes (docs/protocol.md).
  let trainingSession: ProgramSession | undefined;
  const handshake = await session.start().catch((e: unknown) => {
    session.close();
    throw e;
  });
  const specs = new WeakMap<ScheduleTables, unknown>();
  const specOf = (s: ScheduleTables) => specs.get(s) ?? { betas: Array.from(s.betas.subarray(1)) };
  const backend: Record<string, unknown> = {
    name: handshake.name,
    precision: handshake.precision,
    capabilities: handshake.capabilities,
    metadata: {
      ...handshake.metadata,
      protocol: String(handshake.protocolVersion),
      profile: handshake.profileName,
      program: label,
    },
    profile: handshake.profile,
    dispose: () => {
      session.close();
      trainingSession?.close();
    },
  };
  for (const protocolOperation of PROTOCOL_OPERATIONS) {
    const { operation: op, name } = protocolOperation;
    // The operation that takes a schedule spec answers the tables every other operation then takes.
    const answersTables = Object.values(op.fields as Record<string, FieldKind>).includes('schedule spec');
    backend[op.method] = async (args: unknown) => {
      const { params, model } = requestParams(op, args, specOf);
      const modelFailures: unknown[] = [];
      let result: unknown;
      try {
        result = await session.call(name, params, model ? modelHandler(model, modelFailures) : undefined);
      } catch (e) {
        // The model's own error (a check's deliberate NaN, say) is the cause: report it rather than its echo.
        throw modelFailures[0] ?? operationError(e, name, label);
      }
      const decoded = decodeResult(protocolOperation, result, label);
      if (!answersTables) return decoded;
      const tables = tablesFromProgram(result as Record<string, unknown>, `${label} ${name} result`);
      specs.set(tables, args);
      return tables;
    };
  }
  if (handshake.capabilities.includes('training')) {
    const call: TrainingCall = (name, params) => {
      trainingSession ??= new ProgramSession(program, label, handshake);
      return trainingSession.call(name, params).catch((e: unknown) => {
        throw operationError(e, name, label);
      });
    };
    // The trainer's noise: the program's own draw where it declares 'random', else the shared generator.
    const noise = (shape: readonly number[], seed: number, stream: number) =>
      handshake.capabilities.includes('random')
        ? (backend.randomNormal as DiffusionBackend['randomNormal'])({ shape: [...shape], seed, stream })
        : Promise.resolve(gaussianTensor(shape, seed, stream));
    backend.training = programTraining(call, label, specOf, noise);
  }
  return backend as unknown as DiffusionBackend;
}
