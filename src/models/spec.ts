import { requireInput } from '../errors.js';
import type { Architecture } from './architecture.js';
import { MLP_DEFAULTS, mlp, type MlpSpec } from './mlp.js';
import { simpleConv, type SimpleConvSpec } from './simple-conv.js';

/** A model: its architecture and hyper-parameters. Weights are kept apart (src/models/weights.ts). */
export type ModelSpec = SimpleConvSpec | MlpSpec;

/**
 * The architectures, one file each. The seed's table continues with a U-Net, a U-Net with attention and a
 * small DiT: each will add its spec type to ModelSpec and its entry here.
 */
const ARCHITECTURES: { [K in ModelSpec['architecture']]: Architecture<Extract<ModelSpec, { architecture: K }>> } = {
  'simple-conv': simpleConv,
  mlp,
};

export const ARCHITECTURE_NAMES = Object.keys(ARCHITECTURES) as ModelSpec['architecture'][];

export function architectureOf(spec: ModelSpec): Architecture<ModelSpec> {
  return ARCHITECTURES[spec.architecture] as Architecture<ModelSpec>;
}

const positiveInteger = (v: unknown): v is number => Number.isInteger(v) && (v as number) > 0;

/** Validates a model spec (from a checkpoint header or a command line); unknown fields are errors. */
export function parseModelSpec(value: unknown, field = 'model'): ModelSpec {
  requireInput(value !== null && typeof value === 'object', field, 'must be an object');
  const o = value as Record<string, unknown>;
  requireInput(ARCHITECTURE_NAMES.includes(o.architecture as ModelSpec['architecture']), `${field}.architecture`, `must be one of ${ARCHITECTURE_NAMES.join(', ')}, got ${JSON.stringify(o.architecture)}`);
  const keys = o.architecture === 'mlp' ? ['architecture', 'dim', 'hidden', 'layers', 'embeddingDim', 'activation'] : ['architecture', 'channels', 'height', 'width'];
  for (const key of Object.keys(o)) requireInput(keys.includes(key), `${field}.${key}`, `is not a field of a ${String(o.architecture)} model (fields: ${keys.join(', ')})`);
  for (const key of keys.slice(1)) {
    if (key === 'activation') requireInput(o.activation === 'relu' || o.activation === 'gelu', `${field}.activation`, `must be relu or gelu, got ${JSON.stringify(o.activation)}`);
    else requireInput(positiveInteger(o[key]), `${field}.${key}`, `must be a positive integer, got ${JSON.stringify(o[key])}`);
  }
  return o as unknown as ModelSpec;
}

/** The default spec of an architecture for data items of the given shape ([C, H, W] images, [D] points). */
export function defaultModelSpec(architecture: ModelSpec['architecture'], itemShape: readonly number[]): ModelSpec {
  if (architecture === 'mlp') {
    requireInput(itemShape.length === 1, 'data', `mlp needs points ([N, D] data), got items of shape [${itemShape.join(', ')}]`);
    return { architecture, ...MLP_DEFAULTS, dim: itemShape[0] };
  }
  requireInput(itemShape.length === 3, 'data', `simple-conv needs images ([N, C, H, W] data), got items of shape [${itemShape.join(', ')}]`);
  return { architecture, channels: itemShape[0], height: itemShape[1], width: itemShape[2] };
}
