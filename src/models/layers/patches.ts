import type { Graph, Value } from '../graph.js';

// patchify: x [N, C, H, W] -> tokens [N, (H/p)(W/p), p p C], token (a, b) = the p x p patch at rows a p.., columns
// b p.., in (row, column, channel) order (Dosovitskiy et al. 2021, sec. 3.1; DiT's unpatchify read backwards)
export async function patchify<H>(g: Graph<H>, x: Value<H>, patch: number): Promise<Value<H>> {
  const [n, c, height, width] = x.shape;
  const [rows, columns] = [height / patch, width / patch];
  const blocks = await g.transpose(await g.reshape(x, [n, c, rows, patch, columns, patch]), [0, 2, 4, 3, 5, 1]);
  return g.reshape(blocks, [n, rows * columns, patch * patch * c]);
}

// unpatchify: the inverse of patchify, tokens [N, (H/p)(W/p), p p C] -> [N, C, H, W] (DiT's unpatchify)
export async function unpatchify<H>(
  g: Graph<H>,
  tokens: Value<H>,
  patch: number,
  height: number,
  width: number,
): Promise<Value<H>> {
  const [n, , features] = tokens.shape;
  const c = features / (patch * patch);
  const [rows, columns] = [height / patch, width / patch];
  const blocks = await g.transpose(await g.reshape(tokens, [n, rows, columns, patch, patch, c]), [0, 5, 1, 3, 2, 4]);
  return g.reshape(blocks, [n, c, height, width]);
}
