import type { ParameterSpec } from '../architecture.js';
import type { Graph, Value } from '../graph.js';

export type Parameters<H> = (name: string) => Value<H>;

/** nn.Linear's parameters: weight [out, in], bias [out] unless bias is false; init 'zeros' for adaLN-Zero. */
export function linearParameters(
  name: string,
  inputs: number,
  outputs: number,
  init?: 'zeros',
  bias = true,
): ParameterSpec[] {
  return [
    { name: `${name}.weight`, shape: [outputs, inputs], fanIn: inputs, init },
    ...(bias ? [{ name: `${name}.bias`, shape: [outputs], fanIn: inputs, init }] : []),
  ];
}

// y = x W^T + b over the last dimension of x [..., in] (torch.nn.Linear); b = 0 when bias is false
export async function linear<H>(
  g: Graph<H>,
  p: Parameters<H>,
  name: string,
  x: Value<H>,
  bias = true,
): Promise<Value<H>> {
  const inputs = x.shape[x.shape.length - 1];
  const rows = x.shape.slice(0, -1);
  const flat = rows.length === 1 ? x : await g.reshape(x, [rows.reduce((a, b) => a * b, 1), inputs]);
  const weight = p(`${name}.weight`);
  const b = bias
    ? p(`${name}.bias`)
    : await g.constant({
        shape: [weight.shape[0]],
        data: new Float64Array(weight.shape[0]),
      });
  const y = await g.dense(flat, weight, b);
  return rows.length === 1 ? y : g.reshape(y, [...rows, y.shape[1]]);
}

/** nn.Conv2d's parameters: weight [out, in, k, k], bias [out]. */
export function convParameters(name: string, inputs: number, outputs: number, size = 3): ParameterSpec[] {
  const fanIn = inputs * size * size;
  return [
    { name: `${name}.weight`, shape: [outputs, inputs, size, size], fanIn },
    { name: `${name}.bias`, shape: [outputs], fanIn },
  ];
}

/** A size x size convolution with 'same' padding (odd size). */
export const conv = <H>(g: Graph<H>, p: Parameters<H>, name: string, x: Value<H>, size = 3) =>
  g.conv2d(x, p(`${name}.weight`), p(`${name}.bias`), (size - 1) / 2);
