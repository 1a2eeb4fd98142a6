import { positionEmbedding2d } from '../equations/position.js';
import { requireInput } from '../errors.js';
import { type Architecture, imageItems, type ParameterSpec } from './architecture.js';
import type { Graph, Value } from './graph.js';
import { selfAttention, selfAttentionParameters } from './layers/attention.js';
import { conditioning, conditioningParameters } from './layers/conditioning.js';
import { linear, linearParameters, type Parameters } from './layers/linear.js';
import { layerNorm } from './layers/norm.js';
import { patchify, unpatchify } from './layers/patches.js';

/**
 * A Diffusion Transformer (Peebles & Xie 2023): patchify, a linear patch embedding plus fixed 2-D sine-cosine
 * position embeddings, `depth` blocks z' = z + gate_1 Attention(adaLN(z)), z'' = z' + gate_2 MLP(adaLN(z')) with
 * shift, scale and gate from the conditioning vector (timestep, and class for classes > 0), adaLN-Zero: every
 * modulation projection and the final linear layer start at zero, so each block starts as the identity.
 */
export interface DiTSpec {
  architecture: 'dit';
  channels: number;
  height: number;
  width: number;
  patch: number;
  depth: number;
  /** Token width; divisible by 4 (the 2-D position embedding) and by heads. */
  hidden: number;
  heads: number;
  /** 0: unconditional; otherwise labels 0..classes-1, and `classes` the null label. */
  classes: number;
}

const DIT_DEFAULTS = { patch: 2, depth: 4, hidden: 64, heads: 4, classes: 0 } as const;

/** The six adaLN-Zero modulations of a block: shift, scale and gate before attention and before the MLP. */
const MODULATIONS = ['shift1', 'scale1', 'gate1', 'shift2', 'scale2', 'gate2'] as const;
const MLP_RATIO = 4;

function checkDiTSpec(spec: DiTSpec, field = 'model'): void {
  for (const key of ['height', 'width'] as const)
    requireInput(
      spec[key] % spec.patch === 0,
      `${field}.${key}`,
      `must be divisible by the patch size ${spec.patch}, got ${spec[key]}`,
    );
  requireInput(
    spec.hidden % 4 === 0,
    `${field}.hidden`,
    `must be divisible by 4 (the 2-D position embedding), got ${spec.hidden}`,
  );
  requireInput(
    spec.hidden % spec.heads === 0,
    `${field}.heads`,
    `must divide hidden = ${spec.hidden}, got ${spec.heads}`,
  );
}

/** The adaLN projections of one block (or the final layer): Linear(SiLU(c)) per modulation, initialised at zero. */
const modulationParameters = (name: string, parts: readonly string[], hidden: number) =>
  parts.flatMap((part) => linearParameters(`${name}.adaLN.${part}`, hidden, hidden, 'zeros'));

// modulate(x, shift, scale) = x (1 + scale) + shift, shift and scale [N, D] broadcast over the tokens (DiT's modulate)
async function modulate<H>(g: Graph<H>, x: Value<H>, shift: Value<H>, scale: Value<H>): Promise<Value<H>> {
  const [n, , d] = x.shape;
  const broadcast = async (v: Value<H>) => g.broadcastTo(await g.reshape(v, [n, 1, d]), x.shape);
  return g.add(await g.add(x, await g.multiply(x, await broadcast(scale))), await broadcast(shift));
}

/** gate [N, D] times the tokens y [N, L, D]. */
async function gated<H>(g: Graph<H>, gate: Value<H>, y: Value<H>): Promise<Value<H>> {
  const [n, , d] = y.shape;
  return g.multiply(y, await g.broadcastTo(await g.reshape(gate, [n, 1, d]), y.shape));
}

/** One DiT block with adaLN-Zero conditioning on c [N, D]. */
export async function ditBlock<H>(
  g: Graph<H>,
  p: Parameters<H>,
  name: string,
  z: Value<H>,
  c: Value<H>,
  heads: number,
): Promise<Value<H>> {
  const activated = await g.silu(c);
  const m: Record<string, Value<H>> = {};
  for (const part of MODULATIONS) m[part] = await linear(g, p, `${name}.adaLN.${part}`, activated);
  const attended = await selfAttention(
    g,
    p,
    `${name}.attention`,
    await modulate(g, await layerNorm(g, p, z), m.shift1, m.scale1),
    heads,
  );
  const z1 = await g.add(z, await gated(g, m.gate1, attended));
  const hidden = await g.activation(
    'gelu',
    await linear(g, p, `${name}.mlp.0`, await modulate(g, await layerNorm(g, p, z1), m.shift2, m.scale2)),
  );
  return g.add(z1, await gated(g, m.gate2, await linear(g, p, `${name}.mlp.2`, hidden)));
}

function ditBlockParameters(name: string, hidden: number): ParameterSpec[] {
  return [
    ...modulationParameters(name, MODULATIONS, hidden),
    ...selfAttentionParameters(`${name}.attention`, hidden),
    ...linearParameters(`${name}.mlp.0`, hidden, MLP_RATIO * hidden),
    ...linearParameters(`${name}.mlp.2`, MLP_RATIO * hidden, hidden),
  ];
}

export const dit: Architecture<DiTSpec> = {
  fields: {
    channels: 'positive',
    height: 'positive',
    width: 'positive',
    patch: 'positive',
    depth: 'positive',
    hidden: 'positive',
    heads: 'positive',
    classes: 'count',
  },
  defaultSpec: (_architecture, itemShape) => ({
    architecture: 'dit',
    ...imageItems('dit', itemShape),
    ...DIT_DEFAULTS,
  }),
  check: checkDiTSpec,
  parameters(spec) {
    const features = spec.patch * spec.patch * spec.channels;
    return [
      ...conditioningParameters(spec.hidden, spec.hidden, spec.classes),
      ...linearParameters('patches', features, spec.hidden),
      ...Array.from({ length: spec.depth }, (_, i) => ditBlockParameters(`blocks.${i}`, spec.hidden)).flat(),
      ...modulationParameters('final', ['shift', 'scale'], spec.hidden),
      ...linearParameters('final.linear', spec.hidden, features, 'zeros'),
    ];
  },
  itemShape: ({ channels, height, width }) => [channels, height, width],
  async forward(g, spec, p, x, t, _T, labels) {
    checkDiTSpec(spec);
    const [n] = x.shape;
    const [rows, columns] = [spec.height / spec.patch, spec.width / spec.patch];
    const tokens = await linear(g, p, 'patches', await patchify(g, x, spec.patch));
    const positions = positionEmbedding2d(rows, columns, spec.hidden);
    const embedded = new Float64Array(n * positions.length);
    for (let i = 0; i < n; i++) embedded.set(positions, i * positions.length);
    let z = await g.add(tokens, await g.constant({ shape: tokens.shape, data: embedded }));
    const c = await conditioning(g, p, t, labels, spec.classes, spec.hidden);
    for (let i = 0; i < spec.depth; i++) z = await ditBlock(g, p, `blocks.${i}`, z, c, spec.heads);
    const activated = await g.silu(c);
    const [shift, scale] = [
      await linear(g, p, 'final.adaLN.shift', activated),
      await linear(g, p, 'final.adaLN.scale', activated),
    ];
    const out = await linear(g, p, 'final.linear', await modulate(g, await layerNorm(g, p, z), shift, scale));
    return unpatchify(g, out, spec.patch, spec.height, spec.width);
  },
};
