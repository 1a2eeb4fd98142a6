// Independent float64 oracles for the training specs: the two models written directly from their definitions
// with naive loops (no im2col, no kernels, no graph), each output with the running magnitude its rounding
// error scales with (the same network on |w|, |b|, |x|: every activation here is 1-Lipschitz up to GELU's 1.13).
import type { Weights } from '../../src/contract/training.js';
import { gelu } from '../../src/equations/activation.js';
import type { MlpSpec } from '../../src/models/mlp.js';
import type { SimpleConvSpec } from '../../src/models/simple-conv.js';
import type { ScheduleTables } from '../../src/schedule/tables.js';
import type { Tensor } from '../../src/tensor.js';

export interface ReferenceOutput {
  value: Float64Array;
  scale: Float64Array;
}

interface Layer {
  value: Float64Array;
  scale: Float64Array;
}

function conv(x: Layer, n: number, cin: number, h: number, w: number, weight: Tensor, bias: Tensor): Layer {
  const cout = weight.shape[0];
  const value = new Float64Array(n * cout * h * w);
  const scale = new Float64Array(value.length);
  for (let b = 0; b < n; b++)
    for (let o = 0; o < cout; o++)
      for (let i = 0; i < h; i++)
        for (let j = 0; j < w; j++) {
          let s = bias.data[o];
          let m = Math.abs(bias.data[o]);
          for (let c = 0; c < cin; c++)
            for (let u = 0; u < 3; u++)
              for (let v = 0; v < 3; v++) {
                const y = i + u - 1;
                const z = j + v - 1;
                if (y < 0 || y >= h || z < 0 || z >= w) continue;
                const wv = weight.data[((o * cin + c) * 3 + u) * 3 + v];
                const xi = ((b * cin + c) * h + y) * w + z;
                s += wv * x.value[xi];
                m += Math.abs(wv) * x.scale[xi];
              }
          value[((b * cout + o) * h + i) * w + j] = s;
          scale[((b * cout + o) * h + i) * w + j] = m;
        }
  return { value, scale };
}

function dense(x: Layer, n: number, inputs: number, weight: Tensor, bias: Tensor): Layer {
  const outputs = weight.shape[0];
  const value = new Float64Array(n * outputs);
  const scale = new Float64Array(value.length);
  for (let b = 0; b < n; b++)
    for (let o = 0; o < outputs; o++) {
      let s = bias.data[o];
      let m = Math.abs(bias.data[o]);
      for (let i = 0; i < inputs; i++) {
        s += weight.data[o * inputs + i] * x.value[b * inputs + i];
        m += Math.abs(weight.data[o * inputs + i]) * x.scale[b * inputs + i];
      }
      value[b * outputs + o] = s;
      scale[b * outputs + o] = m;
    }
  return { value, scale };
}

const GELU_LIPSCHITZ = 1.13;

/**
 * The ReLU sign pattern of the last evaluation, folded into a
 * number: finite differences across a kink are not derivatives.
 */
let reluPattern = 0;

/** Resets and returns the sign pattern of the ReLUs evaluated since the previous call. */
export function takeReluPattern(): number {
  const p = reluPattern;
  reluPattern = 0;
  return p;
}

function activate(kind: 'relu' | 'gelu', x: Layer): Layer {
  if (kind === 'relu') x.value.forEach((v, i) => (reluPattern = (reluPattern * 31 + (v > 0 ? i + 1 : 0)) % 2147483647));
  return kind === 'relu'
    ? { value: x.value.map((v) => Math.max(v, 0)), scale: x.scale }
    : { value: x.value.map(gelu), scale: x.scale.map((s) => GELU_LIPSCHITZ * s) };
}

function simpleConvReference(_spec: SimpleConvSpec, w: Weights, x: Tensor, t: Int32Array, T: number): Layer {
  const [n, c, h, width] = x.shape;
  const input = new Float64Array(n * (c + 1) * h * width);
  for (let b = 0; b < n; b++) {
    input.set(x.data.subarray(b * c * h * width, (b + 1) * c * h * width), b * (c + 1) * h * width);
    input.fill(t[b] / T, (b * (c + 1) + c) * h * width, (b + 1) * (c + 1) * h * width);
  }
  let layer: Layer = { value: input, scale: input.map(Math.abs) };
  layer = activate('relu', conv(layer, n, c + 1, h, width, w['conv1.weight'], w['conv1.bias']));
  layer = activate('relu', conv(layer, n, 64, h, width, w['conv2.weight'], w['conv2.bias']));
  return conv(layer, n, 64, h, width, w['conv3.weight'], w['conv3.bias']);
}

function mlpReference(spec: MlpSpec, w: Weights, x: Tensor, t: Int32Array): Layer {
  const n = x.shape[0];
  const half = Math.floor(spec.embeddingDim / 2);
  const width = spec.dim + spec.embeddingDim;
  const input = new Float64Array(n * width);
  for (let b = 0; b < n; b++) {
    for (let i = 0; i < spec.dim; i++) input[b * width + i] = x.data[b * spec.dim + i];
    for (let j = 0; j < half; j++) {
      const f = Math.exp((-Math.log(10000) * j) / half);
      input[b * width + spec.dim + j] = Math.cos(t[b] * f);
      input[b * width + spec.dim + half + j] = Math.sin(t[b] * f);
    }
  }
  let layer: Layer = { value: input, scale: input.map(Math.abs) };
  let inputs = width;
  for (let i = 0; i <= spec.layers; i++) {
    layer = dense(layer, n, inputs, w[`layers.${i}.weight`], w[`layers.${i}.bias`]);
    inputs = w[`layers.${i}.weight`].shape[0];
    if (i < spec.layers) layer = activate(spec.activation, layer);
  }
  return layer;
}

/** eps_theta(x, t) of the model, in float64 from its definition. */
/** The models these oracles are written for: the seed's CNN and the 2-D MLP. */
export type ReferenceModelSpec = MlpSpec | SimpleConvSpec;

export function referencePredict(
  model: ReferenceModelSpec,
  weights: Weights,
  x: Tensor,
  t: Int32Array,
  T: number,
): ReferenceOutput {
  return model.architecture === 'mlp'
    ? mlpReference(model, weights, x, t)
    : simpleConvReference(model, weights, x, t, T);
}

export interface ReferenceLoss {
  loss: number;
  /**
   * mean_i (eps - eps_theta)^2 per sample, and the magnitude
   * mean_i (|eps| + |eps_theta| scale)^2 its error scales with.
   */
  perSample: Float64Array;
  scale: Float64Array;
}

/** L_simple = mean_n mean_i (eps - eps_theta(sqrt(ab_t) x0 + sqrt(1 - ab_t) eps, t))^2  (Ho et al. 2020, eq. 14). */
export function referenceLoss(
  model: ReferenceModelSpec,
  weights: Weights,
  s: ScheduleTables,
  x0: Tensor,
  t: Int32Array,
  noise: Tensor,
): ReferenceLoss {
  const n = x0.shape[0];
  const m = x0.data.length / n;
  const xt = x0.data.map(
    (v, i) =>
      Math.sqrt(s.alphaBar[t[Math.floor(i / m)]]) * v +
      Math.sqrt(s.oneMinusAlphaBar[t[Math.floor(i / m)]]) * noise.data[i],
  );
  const out = referencePredict(model, weights, { shape: x0.shape, data: xt }, t, s.T);
  const perSample = new Float64Array(n);
  const scale = new Float64Array(n);
  for (let i = 0; i < out.value.length; i++) {
    const b = Math.floor(i / m);
    perSample[b] += (noise.data[i] - out.value[i]) ** 2 / m;
    scale[b] += (Math.abs(noise.data[i]) + out.scale[i]) ** 2 / m;
  }
  return { loss: perSample.reduce((a, v) => a + v, 0) / n, perSample, scale };
}
