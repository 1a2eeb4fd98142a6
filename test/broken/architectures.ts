// Deliberately broken backends for the architectures and guidance groups: the cpu reference with one real-world
// bug each in its layer kernels (or its model calls). The check of caughtBy must report each (test/broken.spec.ts).

import { cpuArchitectureKernels } from '../../backends/cpu/architecture.js';
import { cpuBackend } from '../../backends/cpu/index.js';
import { cpuKernels } from '../../backends/cpu/kernels.js';
import { cpuTrainingKernels } from '../../backends/cpu/training.js';
import type { ArchitectureKernels } from '../../src/contract/architecture-kernels.js';
import type { TensorKernels } from '../../src/contract/kernels.js';
import type { TrainingBackend } from '../../src/contract/training.js';
import { composeBackend } from '../../src/pipeline/compose.js';
import { sizeOf, type Tensor } from '../../src/tensor.js';
import { type BrokenBackend, broken, type CheckName } from './broken.js';

const SOFTMAX_WRONG_AXIS: CheckName = 'architectures > attention weights are a softmax: every row sums to 1';
const SOFTMAX_WITHOUT_EXP: CheckName =
  'architectures > every attention output lies in the convex hull of the rows of V';
const ATTENTION_CAUSAL_MASK: CheckName =
  'architectures > self-attention without position embeddings is permutation-equivariant';
const ATTENTION_SCALE_1_OVER_DK: CheckName = 'architectures > attention scales the scores by 1/sqrt(d_k)';
const NORM_UNBIASED_VARIANCE: CheckName =
  'architectures > GroupNorm and LayerNorm give zero mean and unit variance per group or token before the affine';
const SOFTMAX_MAX_NOT_SUBTRACTED: CheckName =
  'architectures > a DiT block at initialisation is the identity (adaLN-Zero), whatever its attention and MLP weights';
const TRANSPOSE_INVERSE_PERMUTATION: CheckName = 'architectures > patchify is the definition and unpatchify inverts it';
const DOWNSAMPLE_WITHOUT_PADDING: CheckName =
  'architectures > a U-Net output has the input shape at every supported size; other sizes are errors naming the field';
const EMBEDDING_IGNORES_T: CheckName =
  'architectures > the timestep, and the class of a class-conditional model, change the output';
const NORM_BACKWARD_MISSING_TERM: CheckName =
  'architectures > every parameter gradient of U-Net, U-Net with attention and DiT equals central finite differences of L_simple';
const DENOISER_DROPS_LABELS: CheckName =
  'guidance > guidance w = 0 gives the conditional model and w = -1 the unconditional one, for eps, x0 and v predictions';
const LOOP_MODEL_AT_PREVIOUS_T: CheckName =
  'guidance > the guided DDPM and DDIM loops equal their step-by-step recursion';
const TRAINER_IGNORES_P_UNCOND: CheckName =
  'guidance > training drops every label to the null class at p_uncond = 1 and none at p_uncond = 0';

/** The cpu reference with some layer kernels (and tensor kernels) replaced by buggy ones. */
function brokenLayers(
  id: string,
  bug: string,
  caughtBy: CheckName,
  overrides: Partial<ArchitectureKernels<Tensor>>,
  tensorOverrides: Partial<TensorKernels<Tensor>> = {},
): BrokenBackend {
  const training = { ...cpuTrainingKernels, architecture: { ...cpuArchitectureKernels, ...overrides } };
  return {
    id,
    bug,
    caughtBy,
    backend: composeBackend({ ...cpuKernels, ...tensorOverrides, name: `broken:${id}`, training }),
  };
}

/** The reference backend with its training operations partly replaced. */
const brokenTraining = (id: string, bug: string, caughtBy: CheckName, overrides: Partial<TrainingBackend>) =>
  broken(id, bug, caughtBy, { training: { ...cpuBackend.training!, ...overrides } });

/** Applies f to every row of the last dimension of x. */
function perRow(x: Tensor, f: (row: Float64Array, index: number) => void): Tensor {
  const length = x.shape[x.shape.length - 1];
  const data = Float64Array.from(x.data);
  for (let o = 0, r = 0; o < data.length; o += length, r++) f(data.subarray(o, o + length), r);
  return { shape: x.shape, data };
}

export const brokenArchitectures: BrokenBackend[] = [
  brokenLayers(
    'softmax-wrong-axis',
    'the attention softmax normalises each column instead of each row (axis -2 for -1)',
    SOFTMAX_WRONG_AXIS,
    {
      softmax(x, scale) {
        const perm = [...x.shape.keys()].map((d, _, all) => (d < all.length - 2 ? d : 2 * all.length - 3 - d));
        return cpuArchitectureKernels.transpose(
          cpuArchitectureKernels.softmax(cpuArchitectureKernels.transpose(x, perm), scale),
          perm,
        );
      },
    },
  ),
  brokenLayers(
    'softmax-without-exp',
    'attention weights s / sum(s): normalised scores without the exponential (rows still sum to 1)',
    SOFTMAX_WITHOUT_EXP,
    {
      softmax: (x, scale) =>
        perRow(x, (row) => {
          const sum = row.reduce((a, b) => a + scale * b, 0);
          row.forEach((v, j) => (row[j] = (scale * v) / sum));
        }),
    },
  ),
  brokenLayers(
    'attention-causal-mask',
    'a causal mask left in the attention softmax: token i attends only to tokens j <= i',
    ATTENTION_CAUSAL_MASK,
    {
      softmax(x, scale) {
        const length = x.shape[x.shape.length - 1];
        const y = cpuArchitectureKernels.softmax(x, scale);
        return perRow(y, (row, r) => {
          const i = r % length;
          row.fill(0, i + 1);
          const sum = row.reduce((a, b) => a + b, 0);
          row.forEach((v, j) => (row[j] = v / sum));
        });
      },
    },
  ),
  brokenLayers(
    'attention-scale-1-over-dk',
    'scores scaled by 1/d_k instead of 1/sqrt(d_k)',
    ATTENTION_SCALE_1_OVER_DK,
    {
      softmax: (x, scale) => cpuArchitectureKernels.softmax(x, scale * scale),
    },
  ),
  brokenLayers(
    'norm-unbiased-variance',
    'GroupNorm and LayerNorm divide by the unbiased variance (m - 1), as torch.var does by default',
    NORM_UNBIASED_VARIANCE,
    {
      normalize(x, rows, epsilon) {
        const m = x.data.length / rows;
        const y = cpuArchitectureKernels.normalize(x, rows, epsilon);
        return { shape: y.shape, data: y.data.map((v) => v * Math.sqrt((m - 1) / m)) };
      },
    },
  ),
  brokenLayers(
    'softmax-max-not-subtracted',
    'the softmax exponentiates the raw scores (max not subtracted): Infinity / Infinity = NaN for large logits',
    SOFTMAX_MAX_NOT_SUBTRACTED,
    {
      softmax: (x, scale) =>
        perRow(x, (row) => {
          const e = row.map((v) => Math.exp(scale * v));
          const sum = e.reduce((a, b) => a + b, 0);
          row.forEach((_, j) => (row[j] = e[j] / sum));
        }),
    },
  ),
  brokenLayers(
    'transpose-inverse-permutation',
    'transpose reads x with the inverse permutation (out[perm[d]] for out[d]); right shape, wrong places',
    TRANSPOSE_INVERSE_PERMUTATION,
    {
      transpose(x, perm) {
        const inverse = perm.map((_, d) => perm.indexOf(d));
        return { shape: perm.map((d) => x.shape[d]), data: cpuArchitectureKernels.transpose(x, inverse).data };
      },
    },
  ),
  brokenLayers(
    'downsample-without-padding',
    "the strided downsampling convolution ignores its padding ('valid'): H -> (H - 3) / 2 + 1",
    DOWNSAMPLE_WITHOUT_PADDING,
    {
      stridedConv2d: (x, weight, bias, _padding, stride) =>
        cpuArchitectureKernels.stridedConv2d(x, weight, bias, 0, stride),
    },
  ),
  brokenLayers(
    'embedding-ignores-t',
    'the sinusoidal timestep embedding is computed at t = 0 (an uninitialised timestep buffer)',
    EMBEDDING_IGNORES_T,
    {},
    {
      sinusoidalEmbedding: (t, frequencies, dim) =>
        cpuKernels.sinusoidalEmbedding(new Float64Array(t.length), frequencies, dim),
    },
  ),
  brokenLayers(
    'norm-backward-missing-term',
    'the normalisation backward drops the y mean(dy y) term (the variance path)',
    NORM_BACKWARD_MISSING_TERM,
    {
      normalizeBackward(x, rows, epsilon, dOut) {
        const m = sizeOf(x.shape) / rows;
        const data = new Float64Array(x.data.length);
        for (let r = 0; r < rows; r++) {
          let mean = 0;
          let variance = 0;
          let meanDy = 0;
          for (let i = r * m; i < (r + 1) * m; i++) {
            mean += x.data[i] / m;
            meanDy += dOut.data[i] / m;
          }
          for (let i = r * m; i < (r + 1) * m; i++) variance += (x.data[i] - mean) ** 2 / m;
          for (let i = r * m; i < (r + 1) * m; i++) data[i] = (dOut.data[i] - meanDy) / Math.sqrt(variance + epsilon);
        }
        return { shape: x.shape, data };
      },
    },
  ),
  brokenTraining(
    'denoiser-drops-labels',
    "the denoiser never passes the labels to the network: the 'conditional' model is the unconditional one",
    DENOISER_DROPS_LABELS,
    {
      denoiser: (model, weights, T) => cpuBackend.training!.denoiser(model, weights, T),
    },
  ),
  broken(
    'loop-model-at-previous-t',
    'the DDPM loop calls the model at the timestep it steps to (t - 1) instead of t',
    LOOP_MODEL_AT_PREVIOUS_T,
    {
      sampleDdpm: (args) =>
        cpuBackend.sampleDdpm({
          ...args,
          model: (x, t) =>
            args.model(
              x,
              t.map((v) => Math.max(1, v - 1)),
            ),
        }),
    },
  ),
  brokenTraining(
    'trainer-ignores-p-uncond',
    'the trainer never drops a label (p_uncond ignored)',
    TRAINER_IGNORES_P_UNCOND,
    {
      createTrainer: (model, schedule, state, options) =>
        cpuBackend.training!.createTrainer(model, schedule, state, { ...options, pUncond: undefined }),
    },
  ),
];
