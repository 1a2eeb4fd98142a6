import type { ParameterSpec } from '../architecture.js';
import type { Graph, Value } from '../graph.js';
import { linear, linearParameters, type Parameters } from './linear.js';
import { groupNorm, normParameters } from './norm.js';

/** Tokens [N, L, heads * d] as [N heads, L, d], and back. */
async function splitHeads<H>(g: Graph<H>, x: Value<H>, heads: number): Promise<Value<H>> {
  const [n, length, width] = x.shape;
  const split = await g.transpose(await g.reshape(x, [n, length, heads, width / heads]), [0, 2, 1, 3]);
  return g.reshape(split, [n * heads, length, width / heads]);
}
async function mergeHeads<H>(g: Graph<H>, x: Value<H>, heads: number): Promise<Value<H>> {
  const [nh, length, d] = x.shape;
  const merged = await g.transpose(await g.reshape(x, [nh / heads, heads, length, d]), [0, 2, 1, 3]);
  return g.reshape(merged, [nh / heads, length, heads * d]);
}

// Attention(Q, K, V) = softmax(Q K^T / sqrt(d_k)) V per head, d_k = width / heads (Vaswani et al. 2017, eq. 1 and
// sec. 3.2.2); q, k, v are tokens [N, L, width]. Returns the output [N, L, width] and the weights [N heads, L, L].
export async function attend<H>(g: Graph<H>, q: Value<H>, k: Value<H>, v: Value<H>, heads: number) {
  const dk = q.shape[2] / heads;
  const scores = await g.matmul(await splitHeads(g, q, heads), await splitHeads(g, k, heads), false, true);
  const weights = await g.softmax(scores, 1 / Math.sqrt(dk));
  return { output: await mergeHeads(g, await g.matmul(weights, await splitHeads(g, v, heads)), heads), weights };
}

/**
 * The projections of multi-head self-attention on tokens of the given width. The key has no bias: adding a
 * constant to every key shifts a row of scores by q.b, which the softmax ignores, so its gradient is exactly zero.
 */
export function selfAttentionParameters(name: string, width: number): ParameterSpec[] {
  return ['q', 'k', 'v', 'out'].flatMap((part) =>
    linearParameters(`${name}.${part}`, width, width, undefined, part !== 'k'),
  );
}

// MultiHead(x) = Concat(head_1..head_h) W^O, head_i = Attention(x W^Q_i, x W^K_i, x W^V_i) (Vaswani et al. 2017,
// sec. 3.2.2), over the tokens [N, L, width]
export async function selfAttention<H>(
  g: Graph<H>,
  p: Parameters<H>,
  name: string,
  x: Value<H>,
  heads: number,
): Promise<Value<H>> {
  const [q, k, v] = [
    await linear(g, p, `${name}.q`, x),
    await linear(g, p, `${name}.k`, x, false),
    await linear(g, p, `${name}.v`, x),
  ];
  return linear(g, p, `${name}.out`, (await attend(g, q, k, v, heads)).output);
}

/** A feature map [N, C, H, W] as tokens [N, H W, C] (one per spatial position), and back. */
async function mapToTokens<H>(g: Graph<H>, x: Value<H>): Promise<Value<H>> {
  const [n, c, height, width] = x.shape;
  return g.transpose(await g.reshape(x, [n, c, height * width]), [0, 2, 1]);
}
async function tokensToMap<H>(g: Graph<H>, x: Value<H>, height: number, width: number): Promise<Value<H>> {
  const [n, , c] = x.shape;
  return g.reshape(await g.transpose(x, [0, 2, 1]), [n, c, height, width]);
}

export function spatialAttentionParameters(name: string, channels: number): ParameterSpec[] {
  return [...normParameters(`${name}.norm`, channels), ...selfAttentionParameters(`${name}.attention`, channels)];
}

// x + MultiHead(GroupNorm(x)) over the H W positions of a feature map: DDPM's attention block at 16 x 16
// (Ho et al. 2020, appendix B; improved-diffusion's AttentionBlock)
export async function spatialAttention<H>(
  g: Graph<H>,
  p: Parameters<H>,
  name: string,
  x: Value<H>,
  heads: number,
  groups: number,
): Promise<Value<H>> {
  const tokens = await mapToTokens(g, await groupNorm(g, p, `${name}.norm`, x, groups));
  const attended = await selfAttention(g, p, `${name}.attention`, tokens, heads);
  return g.add(x, await tokensToMap(g, attended, x.shape[2], x.shape[3]));
}
