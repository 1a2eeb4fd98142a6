import type { Activation } from '../contract/training.js';
import { requireInput } from '../errors.js';
import type { Architecture } from './architecture.js';

/**
 * The usual toy denoiser for points in R^dim: [x | sinusoidal embedding of t] -> `layers` hidden dense layers
 * of width `hidden`, each followed by the activation -> dense to dim.
 */
export interface MlpSpec {
  architecture: 'mlp';
  dim: number;
  hidden: number;
  layers: number;
  embeddingDim: number;
  activation: Activation;
}

export const MLP_DEFAULTS: Omit<MlpSpec, 'architecture'> = {
  dim: 2,
  hidden: 128,
  layers: 3,
  embeddingDim: 32,
  activation: 'gelu',
};
const MAX_PERIOD = 10000;

export const mlp: Architecture<MlpSpec> = {
  fields: {
    dim: 'positive',
    hidden: 'positive',
    layers: 'positive',
    embeddingDim: 'positive',
    activation: ['relu', 'gelu'],
  },
  defaultSpec(_architecture, itemShape) {
    requireInput(
      itemShape.length === 1,
      'data',
      `mlp needs points ([N, D] data), got items of shape [${itemShape.join(', ')}]`,
    );
    return { architecture: 'mlp', ...MLP_DEFAULTS, dim: itemShape[0] };
  },
  parameters({ dim, hidden, layers, embeddingDim }) {
    const widths = [dim + embeddingDim, ...new Array<number>(layers).fill(hidden), dim];
    return widths.slice(1).flatMap((out, i) => [
      { name: `layers.${i}.weight`, shape: [out, widths[i]], fanIn: widths[i] },
      { name: `layers.${i}.bias`, shape: [out], fanIn: widths[i] },
    ]);
  },
  itemShape: ({ dim }) => [dim],
  async forward(g, spec, p, x, t) {
    let h = await g.concat(x, await g.timestepEmbedding(Float64Array.from(t), spec.embeddingDim, MAX_PERIOD));
    for (let i = 0; i <= spec.layers; i++) {
      h = await g.dense(h, p(`layers.${i}.weight`), p(`layers.${i}.bias`));
      if (i < spec.layers) h = await g.activation(spec.activation, h);
    }
    return h;
  },
};
