import type { ParameterSpec } from '../architecture.js';
import type { Graph, Value } from '../graph.js';
import { conv, convParameters, type Parameters } from './linear.js';

/** The resampling convolution, inputs -> outputs channels (upsampling narrows to the level above). */
export const resampleParameters = (name: string, inputs: number, outputs: number): ParameterSpec[] =>
  convParameters(`${name}.conv`, inputs, outputs);

// Down(x) = conv3x3(x) with stride 2, padding 1: H x W -> H/2 x W/2 (improved-diffusion's Downsample, conv_resample)
export const downsample = <H>(g: Graph<H>, p: Parameters<H>, name: string, x: Value<H>) =>
  g.stridedConv2d(x, p(`${name}.conv.weight`), p(`${name}.conv.bias`), 1, 2);

// Up(x) = conv3x3(nearest(x)), nearest(x)[c, i, j] = x[c, floor(i / 2), floor(j / 2)] (improved-diffusion's Upsample)
export async function upsample<H>(g: Graph<H>, p: Parameters<H>, name: string, x: Value<H>): Promise<Value<H>> {
  const [n, c, height, width] = x.shape;
  const repeated = await g.broadcastTo(await g.reshape(x, [n, c, height, 1, width, 1]), [n, c, height, 2, width, 2]);
  return conv(g, p, `${name}.conv`, await g.reshape(repeated, [n, c, 2 * height, 2 * width]));
}
