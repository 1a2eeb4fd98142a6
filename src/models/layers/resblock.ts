import type { ParameterSpec } from '../architecture.js';
import type { Graph, Value } from '../graph.js';
import { conv, convParameters, linear, linearParameters, type Parameters } from './linear.js';
import { groupNorm, normParameters } from './norm.js';

export function residualBlockParameters(
  name: string,
  inputs: number,
  outputs: number,
  embeddingWidth: number,
): ParameterSpec[] {
  return [
    ...normParameters(`${name}.norm1`, inputs),
    ...convParameters(`${name}.conv1`, inputs, outputs),
    ...linearParameters(`${name}.embedding`, embeddingWidth, outputs),
    ...normParameters(`${name}.norm2`, outputs),
    ...convParameters(`${name}.conv2`, outputs, outputs),
    ...(inputs === outputs ? [] : convParameters(`${name}.skip`, inputs, outputs, 1)),
  ];
}

// h = conv1(SiLU(GN(x))) + Linear(SiLU(emb))[:, :, None, None]; out = skip(x) + conv2(SiLU(GN(h))), skip a 1x1
// convolution where the width changes (Ho et al. 2020, appendix B; improved-diffusion's ResBlock, without dropout)
export async function residualBlock<H>(
  g: Graph<H>,
  p: Parameters<H>,
  name: string,
  x: Value<H>,
  embedding: Value<H>,
  groups: number,
): Promise<Value<H>> {
  const h = await conv(g, p, `${name}.conv1`, await g.silu(await groupNorm(g, p, `${name}.norm1`, x, groups)));
  const projected = await linear(g, p, `${name}.embedding`, await g.silu(embedding));
  const [n, c] = projected.shape;
  const withTime = await g.add(h, await g.broadcastTo(await g.reshape(projected, [n, c, 1, 1]), h.shape));
  const out = await conv(g, p, `${name}.conv2`, await g.silu(await groupNorm(g, p, `${name}.norm2`, withTime, groups)));
  const skip = x.shape[1] === c ? x : await conv(g, p, `${name}.skip`, x, 1);
  return g.add(skip, out);
}
