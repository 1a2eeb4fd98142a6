import { createHash } from 'node:crypto';
import type { Weights } from '../contract/training.js';
import { DiffspecInputError, requireInput } from '../errors.js';
import { sameShape, sizeOf, type Tensor } from '../tensor.js';
import { architectureOf, type ModelSpec, parseModelSpec } from './spec.js';

/** The file's first 8 bytes. */
const WEIGHTS_MAGIC = 'DIFFSPW1';
const FORMAT = 'diffspec-weights';
const VERSION = 1;

interface TensorEntry {
  name: string;
  shape: number[];
  /** Offset in float64 elements from the start of the data section. */
  offset: number;
}

export interface WeightsFile {
  model: ModelSpec;
  /** Named tensor groups: "params" always; a checkpoint adds "adam.m", "adam.v" and optionally "ema". */
  groups: Record<string, Weights>;
  /** Free JSON (training options, step, loss history...). */
  meta: Record<string, unknown>;
}

/**
 * Encodes weights in the diffspec weights format (docs/weights-format.md): magic "DIFFSPW1", a uint32 LE header
 * length, a UTF-8 JSON header (format, version, dtype "float64", byte order, model spec, tensor table with shapes
 * and offsets, SHA-256 of the data section, meta), zero padding to a multiple of 8 bytes, then every tensor as
 * little-endian float64 in table order. Every backend loads this and rounds once to its own precision.
 */
export function encodeWeights(file: WeightsFile): Buffer {
  const tensors: TensorEntry[] = [];
  const parts: Tensor[] = [];
  let offset = 0;
  for (const [group, weights] of Object.entries(file.groups)) {
    for (const [name, t] of Object.entries(weights)) {
      tensors.push({ name: `${group}/${name}`, shape: [...t.shape], offset });
      parts.push(t);
      offset += t.data.length;
    }
  }
  const data = Buffer.alloc(offset * 8);
  let at = 0;
  for (const t of parts) for (let i = 0; i < t.data.length; i++, at += 8) data.writeDoubleLE(t.data[i], at);
  const header = Buffer.from(
    JSON.stringify({
      format: FORMAT,
      version: VERSION,
      dtype: 'float64',
      byteOrder: 'little',
      model: file.model,
      tensors,
      elements: offset,
      sha256: createHash('sha256').update(data).digest('hex'),
      meta: file.meta,
    }),
    'utf8',
  );
  const prefix = 8 + 4 + header.length;
  const padding = (8 - (prefix % 8)) % 8;
  const length = Buffer.alloc(4);
  length.writeUInt32LE(header.length + padding);
  return Buffer.concat([Buffer.from(WEIGHTS_MAGIC, 'ascii'), length, header, Buffer.alloc(padding, 0x20), data]);
}

/**
 * Decodes and verifies a weights file: magic, header, checksum,
 * and every group's tensors against the model's parameter list.
 */
export function decodeWeights(bytes: Uint8Array, field = 'checkpoint'): WeightsFile {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  requireInput(
    buffer.length >= 12 && buffer.toString('ascii', 0, 8) === WEIGHTS_MAGIC,
    field,
    `is not a diffspec weights file (it does not start with "${WEIGHTS_MAGIC}")`,
  );
  const headerLength = buffer.readUInt32LE(8);
  requireInput(
    12 + headerLength <= buffer.length,
    field,
    `is truncated: its header needs ${headerLength} bytes, the file has ${buffer.length - 12}`,
  );
  let header: Record<string, unknown>;
  try {
    header = JSON.parse(buffer.toString('utf8', 12, 12 + headerLength));
  } catch (e) {
    throw new DiffspecInputError(`${field}.header`, `is not valid JSON: ${(e as Error).message}`);
  }
  requireInput(
    header.format === FORMAT && header.version === VERSION,
    `${field}.header`,
    `is not ${FORMAT} version ${VERSION}`,
  );
  requireInput(
    header.dtype === 'float64' && header.byteOrder === 'little',
    `${field}.header.dtype`,
    'must be little-endian float64',
  );
  const model = parseModelSpec(header.model, `${field}.header.model`);
  const data = buffer.subarray(12 + headerLength);
  const elements = header.elements as number;
  requireInput(
    Number.isInteger(elements) && data.length === elements * 8,
    field,
    `is truncated or padded: the data section has ${data.length} bytes, the header promises ${Number(elements) * 8}`,
  );
  requireInput(
    createHash('sha256').update(data).digest('hex') === header.sha256,
    field,
    'checksum mismatch: the data section is corrupt',
  );
  const groups: Record<string, Record<string, Tensor>> = {};
  for (const [i, entry] of (header.tensors as TensorEntry[]).entries()) {
    const slash = entry.name.indexOf('/');
    const count = sizeOf(entry.shape);
    requireInput(
      slash > 0 && Number.isInteger(entry.offset) && entry.offset >= 0 && entry.offset + count <= elements,
      `${field}.header.tensors[${i}]`,
      'is malformed',
    );
    const values = new Float64Array(count);
    for (let j = 0; j < count; j++) values[j] = data.readDoubleLE((entry.offset + j) * 8);
    const group = entry.name.slice(0, slash);
    groups[group] ??= {};
    groups[group][entry.name.slice(slash + 1)] = { shape: entry.shape, data: values };
  }
  requireInput(groups.params !== undefined, field, 'holds no "params" tensors');
  for (const [group, weights] of Object.entries(groups)) checkWeights(model, weights, `${field}.${group}`);
  return { model, groups, meta: (header.meta ?? {}) as Record<string, unknown> };
}

/** The weights must be exactly the model's parameters, with their shapes. */
export function checkWeights(model: ModelSpec, weights: Weights, field = 'weights'): void {
  const expected = architectureOf(model).parameters(model);
  const names = new Set(expected.map((p) => p.name));
  for (const name of Object.keys(weights))
    requireInput(names.has(name), `${field}.${name}`, `is not a parameter of this ${model.architecture} model`);
  for (const p of expected) {
    const t = weights[p.name];
    requireInput(
      t !== undefined,
      `${field}.${p.name}`,
      `is missing (a ${model.architecture} model needs ${expected.map((e) => e.name).join(', ')})`,
    );
    requireInput(
      sameShape(t.shape, p.shape),
      `${field}.${p.name}`,
      `has shape [${t.shape.join(', ')}], the model needs [${p.shape.join(', ')}]`,
    );
    requireInput(t.data.length === sizeOf(p.shape), `${field}.${p.name}`, 'has the wrong number of values');
  }
}
