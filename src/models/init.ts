import type { Weights } from '../contract/training.js';
import { uniformValues } from '../random/uniform.js';
import { architectureOf, type ModelSpec } from './spec.js';

// w, b ~ Uniform(-1/sqrt(fan_in), 1/sqrt(fan_in)): PyTorch's default for nn.Conv2d and nn.Linear
// (kaiming_uniform_ with a = sqrt(5), He et al. 2015), so a fresh model matches the seed's; a norm's scale starts
// at 1 and its shift at 0 (nn.GroupNorm, nn.LayerNorm), adaLN-Zero's projections at 0 (Peebles & Xie 2023, sec. 3.2).
export function initialWeights(spec: ModelSpec, seed: number): Weights {
  const weights: Record<string, { shape: number[]; data: Float64Array }> = {};
  architectureOf(spec)
    .parameters(spec)
    .forEach(({ name, shape, fanIn, init }, stream) => {
      const bound = 1 / Math.sqrt(fanIn);
      const u = uniformValues(
        seed,
        stream,
        shape.reduce((a, b) => a * b, 1),
      );
      for (let i = 0; i < u.length; i++) u[i] = init === 'ones' ? 1 : init === 'zeros' ? 0 : bound * (2 * u[i] - 1);
      weights[name] = { shape, data: u };
    });
  return weights;
}

/** Tensors of zeros shaped like each parameter (Adam's moments at step 0). */
export function zerosLike(w: Weights): Weights {
  return Object.fromEntries(
    Object.entries(w).map(([name, t]) => [name, { shape: [...t.shape], data: new Float64Array(t.data.length) }]),
  );
}
