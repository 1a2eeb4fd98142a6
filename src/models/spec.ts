import { requireInput, shown } from '../errors.js';
import type { Architecture } from './architecture.js';
import { type DiTSpec, dit } from './dit.js';
import { type MlpSpec, mlp } from './mlp.js';
import { type SimpleConvSpec, simpleConv } from './simple-conv.js';
import { type UNetSpec, unet } from './unet.js';

/** A model: its architecture and hyper-parameters. Weights are kept apart (src/models/weights.ts). */
export type ModelSpec = SimpleConvSpec | MlpSpec | UNetSpec | DiTSpec;

/** The architectures, one file each: the seed's table (a CNN, a U-Net, a U-Net with attention, a DiT) and a 2-D MLP. */
/** The spec type of architecture name K (unet and unet-attn share one). */
type SpecOf<K> = ModelSpec extends infer S
  ? S extends { architecture: infer A }
    ? K extends A
      ? S
      : never
    : never
  : never;

const ARCHITECTURES: { [K in ModelSpec['architecture']]: Architecture<SpecOf<K>> } = {
  'simple-conv': simpleConv,
  mlp,
  unet,
  'unet-attn': unet,
  dit,
};

export const ARCHITECTURE_NAMES = Object.keys(ARCHITECTURES) as ModelSpec['architecture'][];

export function architectureOf(spec: ModelSpec): Architecture<ModelSpec> {
  return ARCHITECTURES[spec.architecture] as Architecture<ModelSpec>;
}

const ACCEPTS = { positive: (v: number) => v >= 1, count: (v: number) => v >= 0 };

/** Validates a model spec (from a checkpoint header or a command line); unknown fields are errors. */
export function parseModelSpec(value: unknown, field = 'model'): ModelSpec {
  requireInput(value !== null && typeof value === 'object', field, 'must be an object');
  const o = value as Record<string, unknown>;
  requireInput(
    ARCHITECTURE_NAMES.includes(o.architecture as ModelSpec['architecture']),
    `${field}.architecture`,
    `must be one of ${ARCHITECTURE_NAMES.join(', ')}, got ${JSON.stringify(o.architecture)}`,
  );
  const arch = ARCHITECTURES[o.architecture as ModelSpec['architecture']] as Architecture<ModelSpec>;
  const keys = ['architecture', ...Object.keys(arch.fields)];
  for (const key of Object.keys(o))
    requireInput(
      keys.includes(key),
      `${field}.${key}`,
      `is not a field of a ${String(o.architecture)} model (fields: ${keys.join(', ')})`,
    );
  for (const [key, kind] of Object.entries(arch.fields)) {
    const v = o[key];
    if (typeof kind !== 'string')
      requireInput(kind.includes(v as string), `${field}.${key}`, `must be one of ${kind.join(', ')}, got ${shown(v)}`);
    else
      requireInput(
        Number.isInteger(v) && ACCEPTS[kind](v as number),
        `${field}.${key}`,
        `must be an integer >= ${kind === 'positive' ? 1 : 0}, got ${shown(v)}`,
      );
  }
  arch.check?.(o as unknown as ModelSpec, field);
  return o as unknown as ModelSpec;
}

/** The default spec of an architecture for data items of the given shape ([C, H, W] images, [D] points). */
export function defaultModelSpec(architecture: ModelSpec['architecture'], itemShape: readonly number[]): ModelSpec {
  return (ARCHITECTURES[architecture] as Architecture<ModelSpec>).defaultSpec(architecture, itemShape);
}
