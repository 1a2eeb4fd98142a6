// Small models of the new architectures and the helpers their specs share.

import type { Precision } from '../../src/contract/backend.js';
import type { Weights } from '../../src/contract/training.js';
import type { DiTSpec } from '../../src/models/dit.js';
import { initialWeights } from '../../src/models/init.js';
import { architectureOf, type ModelSpec } from '../../src/models/spec.js';
import type { UNetSpec } from '../../src/models/unet.js';
import { uniformValues } from '../../src/random/uniform.js';
import { networkRoundings, normalizationRoundings } from '../../src/speckit/tolerance.js';

const UNET_BASE = {
  channels: 1,
  height: 8,
  width: 8,
  baseChannels: 4,
  levels: 2,
  groups: 2,
  heads: 2,
  classes: 3,
} as const;

/** One small class-conditional model per architecture and skip form, 8 x 8 single-channel images. */
export const SMALL_MODELS: (UNetSpec | DiTSpec)[] = [
  { architecture: 'unet', ...UNET_BASE, skip: 'add' },
  { architecture: 'unet', ...UNET_BASE, skip: 'concat' },
  { architecture: 'unet-attn', ...UNET_BASE, skip: 'concat' },
  { architecture: 'dit', channels: 1, height: 8, width: 8, patch: 2, depth: 2, hidden: 8, heads: 2, classes: 3 },
];

/**
 * Weights away from the initialisation's special values: every tensor Uniform(+-1/sqrt(fan_in)), a norm's scale
 * 1 + that. At initialisation a DiT's output is exactly zero (adaLN-Zero and its zero final layer), which would
 * hide the timestep's effect and most gradients.
 */
export function randomWeights(model: ModelSpec, seed: number): Weights {
  const weights: Record<string, { shape: number[]; data: Float64Array }> = { ...initialWeights(model, seed) } as never;
  architectureOf(model)
    .parameters(model)
    .forEach(({ name, shape, fanIn, init }, stream) => {
      if (init === undefined) return;
      const u = uniformValues(seed + 1, stream, weights[name].data.length);
      const bound = 1 / Math.sqrt(fanIn);
      weights[name] = { shape, data: Float64Array.from(u, (x) => (init === 'ones' ? 1 : 0) + bound * (2 * x - 1)) };
    });
  return weights;
}

/** Labels 0..classes for n items, the null class among them. */
export const someLabels = (n: number, classes: number) =>
  Int32Array.from({ length: n }, (_, i) => (i === n - 1 ? classes : i % classes));

/**
 * Forward roundings of a model, per output element relative to its magnitude: every weight tensor is a dot product
 * of fan-in terms (networkRoundings), every norm standardises rows (normalizationRoundings of the widest row), and
 * every layer adds at most two elementary functions (SiLU, GELU, softmax's exp, a norm's square root).
 */
export function modelRoundings(model: UNetSpec | DiTSpec, precision: Precision): number {
  const params = architectureOf(model).parameters(model);
  const fanIns = params.filter((p) => p.name.endsWith('weight') && p.init !== 'ones').map((p) => p.fanIn);
  const norms = params.filter((p) => p.init === 'ones').length + ('depth' in model ? 2 * model.depth + 1 : 0);
  // The longest row a norm standardises: a concat decoder's first GroupNorm, 2 C_0 / G channels of H x W; a token.
  const widest =
    'depth' in model ? model.hidden : ((2 * model.baseChannels) / model.groups) * model.height * model.width;
  return networkRoundings(fanIns, 2 * fanIns.length, precision) + norms * normalizationRoundings(widest);
}

/** max_i |x_i|. */
export function maxAbs(x: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < x.length; i++) m = Math.max(m, Math.abs(x[i]));
  return m;
}
