import type { ParameterSpec } from '../architecture.js';
import type { Graph, Value } from '../graph.js';
import type { Parameters } from './linear.js';

/** torch's defaults: nn.GroupNorm eps = 1e-5; DiT's LayerNorms eps = 1e-6. */
export const GROUP_NORM_EPSILON = 1e-5;
export const LAYER_NORM_EPSILON = 1e-6;

/** The affine of a norm: scale (starts at 1) and shift (starts at 0), one per channel. */
export function normParameters(name: string, channels: number): ParameterSpec[] {
  return [
    { name: `${name}.weight`, shape: [channels], fanIn: channels, init: 'ones' },
    { name: `${name}.bias`, shape: [channels], fanIn: channels, init: 'zeros' },
  ];
}

/** gamma y + beta, gamma and beta per channel of dimension `axis`, broadcast over the others. */
async function affine<H>(g: Graph<H>, p: Parameters<H>, name: string, y: Value<H>, axis: number): Promise<Value<H>> {
  const column = y.shape.map((d, i) => (i === axis ? d : 1));
  const gamma = await g.broadcastTo(await g.reshape(p(`${name}.weight`), column), y.shape);
  const beta = await g.broadcastTo(await g.reshape(p(`${name}.bias`), column), y.shape);
  return g.add(await g.multiply(y, gamma), beta);
}

// GroupNorm: per sample and group of C/G channels, y = (x - mu) / sqrt(sigma^2 + eps), then gamma_c y + beta_c
// (Wu & He 2018, eq. 1-3)
export async function groupNorm<H>(
  g: Graph<H>,
  p: Parameters<H>,
  name: string,
  x: Value<H>,
  groups: number,
): Promise<Value<H>> {
  return affine(g, p, name, await groupStandardise(g, x, groups), 1);
}

/** GroupNorm before its affine: each sample's groups of C / G consecutive channels standardised. */
export const groupStandardise = <H>(g: Graph<H>, x: Value<H>, groups: number) =>
  g.normalize(x, x.shape[0] * groups, GROUP_NORM_EPSILON);

// LayerNorm over the last dimension, y = (x - mu) / sqrt(sigma^2 + eps) per token, then gamma y + beta when
// `name` is given (Ba et al. 2016, eq. 4; DiT's adaLN LayerNorms have no affine of their own)
export async function layerNorm<H>(g: Graph<H>, p: Parameters<H>, x: Value<H>, name?: string): Promise<Value<H>> {
  const width = x.shape[x.shape.length - 1];
  const y = await g.normalize(x, x.shape.reduce((a, b) => a * b, 1) / width, LAYER_NORM_EPSILON);
  return name === undefined ? y : affine(g, p, name, y, x.shape.length - 1);
}
