import type { ParameterSpec } from '../architecture.js';
import type { Graph, Value } from '../graph.js';
import { linear, linearParameters, type Parameters } from './linear.js';

const MAX_PERIOD = 10000;

/** The timestep MLP: sinusoidal(t) [N, frequencyDim] -> Linear -> SiLU -> Linear, to `width`. */
function timestepEmbeddingParameters(name: string, frequencyDim: number, width: number): ParameterSpec[] {
  return [...linearParameters(`${name}.0`, frequencyDim, width), ...linearParameters(`${name}.2`, width, width)];
}

// emb(t) = W_2 SiLU(W_1 sinusoidal(t) + b_1) + b_2: the learnable timestep embedding of DDPM's U-Net and DiT
// (Ho et al. 2020, appendix B; Peebles & Xie 2023, sec. 3.2)
async function timestepEmbedding<H>(
  g: Graph<H>,
  p: Parameters<H>,
  name: string,
  t: Int32Array,
  frequencyDim: number,
): Promise<Value<H>> {
  const sinusoid = await g.timestepEmbedding(Float64Array.from(t), frequencyDim, MAX_PERIOD);
  return linear(g, p, `${name}.2`, await g.silu(await linear(g, p, `${name}.0`, sinusoid)));
}

/** A table of classes + 1 embeddings: the last row is the null class of classifier-free guidance. */
function classEmbeddingParameters(name: string, classes: number, width: number): ParameterSpec[] {
  return linearParameters(name, classes + 1, width, undefined, false).map((q) => ({ ...q, fanIn: 1 }));
}

// e(y) = E[:, y], y in 0..classes, y = classes the null label (Ho & Salimans 2022, sec. 3.2), as one_hot(y) E^T
async function classEmbedding<H>(
  g: Graph<H>,
  p: Parameters<H>,
  name: string,
  labels: Int32Array,
  classes: number,
): Promise<Value<H>> {
  const oneHot = new Float64Array(labels.length * (classes + 1));
  labels.forEach((y, n) => (oneHot[n * (classes + 1) + y] = 1));
  return linear(g, p, name, await g.constant({ shape: [labels.length, classes + 1], data: oneHot }), false);
}

/** The timestep MLP's parameters, and the class table's for classes > 0. */
export function conditioningParameters(frequencyDim: number, width: number, classes: number): ParameterSpec[] {
  return [
    ...timestepEmbeddingParameters('time', frequencyDim, width),
    ...(classes > 0 ? classEmbeddingParameters('classes', classes, width) : []),
  ];
}

/**
 * The conditioning vector: the timestep's learnable embedding, plus the class's for a class-conditional model
 * (absent labels mean the null class, the unconditional model of classifier-free guidance).
 */
export async function conditioning<H>(
  g: Graph<H>,
  p: Parameters<H>,
  t: Int32Array,
  labels: Int32Array | undefined,
  classes: number,
  frequencyDim: number,
): Promise<Value<H>> {
  const time = await timestepEmbedding(g, p, 'time', t, frequencyDim);
  if (classes === 0) return time;
  return g.add(time, await classEmbedding(g, p, 'classes', labels ?? new Int32Array(t.length).fill(classes), classes));
}
