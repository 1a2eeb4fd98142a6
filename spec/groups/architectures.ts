// Architecture specs, over every backend that declares the 'architectures' capability: the layers of the seed's
// U-Net, U-Net with attention and DiT (src/models/layers), written once on the model Graph, and the models.
//   Attention(Q, K, V) = softmax(Q K^T / sqrt(d_k)) V   (Vaswani et al. 2017, eq. 1)
//   GroupNorm / LayerNorm: (x - mu) / sqrt(sigma^2 + eps) per group / token, then gamma y + beta  (Wu & He 2018; Ba
// et al. 2016)   DiT blocks z' = z + gate_1 Attention(adaLN(z)), z'' = z' + gate_2 MLP(adaLN(z')), gates zero at
// initialisation   (Peebles & Xie 2023, sec. 3.2, adaLN-Zero); patchify as ViT (Dosovitskiy et al. 2021, sec. 3.1)
import { cpuBackend } from '../../backends/cpu/index.js';
import type { DiffusionBackend } from '../../src/contract/backend.js';
import type { TrainingBackend, Weights } from '../../src/contract/training.js';
import { closedFormCoefficients } from '../../src/equations/forward.js';
import { DiffspecInputError } from '../../src/errors.js';
import { type DiTSpec, ditBlock } from '../../src/models/dit.js';
import { initialWeights } from '../../src/models/init.js';
import { attend, selfAttention } from '../../src/models/layers/attention.js';
import { GROUP_NORM_EPSILON, groupStandardise, LAYER_NORM_EPSILON, layerNorm } from '../../src/models/layers/norm.js';
import { patchify, unpatchify } from '../../src/models/layers/patches.js';
import { architectureOf, type ModelSpec } from '../../src/models/spec.js';
import type { UNetSpec } from '../../src/models/unet.js';
import { gaussianTensor, gaussianValues } from '../../src/random/gaussian.js';
import { uniformValues } from '../../src/random/uniform.js';
import { SEED_SCHEDULE } from '../../src/schedule/spec.js';
import { noiseLevel, scheduleTables } from '../../src/schedule/tables.js';
import { defineGroup } from '../../src/speckit/check.js';
import {
  attentionRoundings,
  FINITE_DIFFERENCE,
  normalizationRoundings,
  relativeBound,
  unitRoundoff,
} from '../../src/speckit/tolerance.js';
import type { Tensor } from '../../src/tensor.js';
import { maxAbs, modelRoundings, randomWeights, SMALL_MODELS, someLabels } from '../support/architectures.js';

const SCHEDULE = scheduleTables(SEED_SCHEDULE);

function training(backend: DiffusionBackend): TrainingBackend {
  if (!backend.training) throw new Error(`${backend.name} declares 'architectures' but has no training operations`);
  return backend.training;
}

function sumOf(x: ArrayLike<number>, f: (v: number, i: number) => number = (v) => v): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += f(x[i], i);
  return s;
}

/** Central differences of the float64 reference's L_simple, by check seed, model and parameter tensor. */
const REFERENCE_DIFFERENCES = new Map<string, number>();

/** x_t = sqrt(ab) x_0 + sqrt(1 - ab) eps on the host, in float64. */
function noised(x0: Tensor, noise: Tensor, t: Int32Array): Tensor {
  const item = x0.data.length / x0.shape[0];
  const data = Float64Array.from(x0.data, (x, i) => {
    const c = closedFormCoefficients(noiseLevel(SCHEDULE, t[Math.floor(i / item)]));
    return c.signal * x + c.noise * noise.data[i];
  });
  return { shape: x0.shape, data };
}

/** L_simple at given weights, by the float64 reference's forward pass. */
async function referenceLoss(
  model: ModelSpec,
  weights: Weights,
  xt: Tensor,
  noise: Tensor,
  t: Int32Array,
  labels: Int32Array,
): Promise<number> {
  const out = await training(cpuBackend).predict({ model, weights, x: xt, t, T: SCHEDULE.T, labels });
  let sum = 0;
  out.data.forEach((v, i) => (sum += (noise.data[i] - v) ** 2));
  return sum / out.data.length;
}

/** Tokens [N, L, d] of N(0, sigma^2) values. */
const tokens = (shape: number[], seed: number, stream: number, sigma = 1): Tensor => {
  const t = gaussianTensor(shape, seed, stream);
  return { shape: t.shape, data: t.data.map((v) => sigma * v) };
};

/** Runs `attend` on one head: outputs and weights. */
async function attention(backend: DiffusionBackend, q: Tensor, k: Tensor, v: Tensor) {
  return training(backend).runGraph(async (g, input) => attend(g, input('q'), input('k'), input('v'), 1), { q, k, v });
}

/** softmax(Q K^T / sqrt(d)) V in float64, per batch item, and the largest score magnitude s sum |q_i| |k_i|. */
function expectedAttention(q: Tensor, k: Tensor, v: Tensor) {
  const [n, length, d] = q.shape;
  const out = new Float64Array(v.data.length);
  let magnitude = 0;
  for (let b = 0; b < n; b++)
    for (let i = 0; i < length; i++) {
      const scores = new Float64Array(length);
      for (let j = 0; j < length; j++) {
        let s = 0;
        let m = 0;
        for (let c = 0; c < d; c++) {
          s += q.data[(b * length + i) * d + c] * k.data[(b * length + j) * d + c];
          m += Math.abs(q.data[(b * length + i) * d + c] * k.data[(b * length + j) * d + c]);
        }
        scores[j] = s / Math.sqrt(d);
        magnitude = Math.max(magnitude, m / Math.sqrt(d));
      }
      const top = Math.max(...scores);
      const e = scores.map((s) => Math.exp(s - top));
      const sum = e.reduce((a, b) => a + b, 0);
      for (let j = 0; j < length; j++)
        for (let c = 0; c < d; c++) out[(b * length + i) * d + c] += (e[j] / sum) * v.data[(b * length + j) * d + c];
    }
  return { out, magnitude };
}

const LENGTH = 6;
const DK = 4;

export const architecturesGroup = defineGroup(
  'architectures',
  'Architectures: U-Net, U-Net with attention and DiT layers and models',
  [
    {
      name: 'attention weights are a softmax: every row sums to 1',
      kind: 'exact',
      equation: 'sum_j softmax(Q K^T / sqrt(d_k))_ij = 1',
      source: 'Vaswani et al. 2017, eq. 1',
      requires: ['architectures'],
      async run(backend, ctx) {
        // Scores up to |s| ~ 200: a softmax without the max subtracted
        // overflows exp in float32 (and in float64 beyond 709).
        for (const [i, sigma] of [1, 30].entries()) {
          const q = tokens([2, LENGTH, DK], ctx.subSeed(i), 0, sigma);
          const k = tokens([2, LENGTH, DK], ctx.subSeed(i), 1, sigma);
          const { weights } = await attention(backend, q, k, tokens([2, LENGTH, DK], ctx.subSeed(i), 2));
          const w = ctx.expectShape('attention weights', weights, [2, LENGTH, LENGTH]);
          const sums = Array.from({ length: 2 * LENGTH }, (_, r) =>
            sumOf(w.data.subarray(r * LENGTH, (r + 1) * LENGTH)),
          );
          // Each weight is e_j / sum with error (L + 4 + elementary) u relative to itself; they sum to 1 within L more.
          ctx.expectClose({
            what: `row sums (score scale ${sigma})`,
            actual: { shape: [sums.length], data: Float64Array.from(sums) },
            expected: sums.map(() => 1),
            scale: sums.map(() => 1),
            roundings: attentionRoundings(0, LENGTH, 0, ctx.precision) + LENGTH,
          });
        }
      },
    },
    {
      name: 'every attention output lies in the convex hull of the rows of V',
      kind: 'exact',
      equation:
        'o_i = sum_j w_ij v_j with w_ij >= 0, sum_j w_ij = 1: for every direction u, min_j u.v_j <= u.o_i <= max_j ' +
        'u.v_j',
      source: 'Vaswani et al. 2017, eq. 1 (a softmax is a probability vector)',
      requires: ['architectures'],
      async run(backend, ctx) {
        const [q, k, v] = [0, 1, 2].map((s) => tokens([2, LENGTH, DK], ctx.subSeed(0), s, 2));
        const out = ctx.expectShape('attention output', (await attention(backend, q, k, v)).output, [2, LENGTH, DK]);
        // The coordinate axes and 8 random directions: each a slab that contains the hull.
        const directions = [
          ...Array.from({ length: DK }, (_, c) => Float64Array.from({ length: DK }, (_, e) => Number(e === c))),
          ...Array.from({ length: 8 }, (_, r) => gaussianValues(ctx.subSeed(1), r, DK)),
        ];
        const slack =
          relativeBound(attentionRoundings(DK, LENGTH, 0, ctx.precision), ctx.precision) * maxAbs(v.data) * DK;
        for (let b = 0; b < 2; b++)
          for (const u of directions) {
            const project = (x: ArrayLike<number>, row: number) =>
              u.reduce((s, uc, c) => s + uc * x[(b * LENGTH + row) * DK + c], 0);
            const values = Array.from({ length: LENGTH }, (_, j) => project(v.data, j));
            const [lo, hi] = [Math.min(...values), Math.max(...values)];
            for (let i = 0; i < LENGTH; i++) {
              const p = project(out.data, i) / Math.hypot(...u);
              if (!(p >= lo / Math.hypot(...u) - slack && p <= hi / Math.hypot(...u) + slack))
                ctx.fail(
                  `output ${b},${i} projects to ${p} along [${Array.from(u, (x) => x.toFixed(2)).join(', ')}], outside the rows of V's [${lo}, ${hi}]`,
                );
            }
          }
      },
    },
    {
      name: 'self-attention without position embeddings is permutation-equivariant',
      kind: 'exact',
      equation: 'SelfAttention(P X) = P SelfAttention(X) for every permutation P of the tokens',
      source:
        'Vaswani et al. 2017, sec. 3.5 (why position encodings are needed); Lee et al. 2019, Set Transformer, property ' +
        '1',
      requires: ['architectures'],
      async run(backend, ctx) {
        const width = 2 * DK;
        const x = tokens([1, LENGTH, width], ctx.subSeed(0), 0);
        const permutation = Array.from(uniformValues(ctx.subSeed(1), 0, LENGTH), (u, i) => [u, i])
          .sort((a, b) => a[0] - b[0])
          .map(([, i]) => i);
        const permuted = { shape: x.shape, data: new Float64Array(x.data.length) };
        permutation.forEach((from, to) =>
          permuted.data.set(x.data.subarray(from * width, (from + 1) * width), to * width),
        );
        const weights: Record<string, Tensor> = {};
        for (const [s, part] of ['q', 'k', 'v', 'out'].entries()) {
          weights[`a.${part}.weight`] = tokens([width, width], ctx.subSeed(2), s, 1 / Math.sqrt(width));
          if (part !== 'k') weights[`a.${part}.bias`] = tokens([width], ctx.subSeed(3), s, 0.1);
        }
        const run = (input: Tensor) =>
          training(backend).runGraph(
            async (g, value) => ({ y: await selfAttention(g, (name) => value(name), 'a', value('x'), 2) }),
            { ...weights, x: input },
          );
        const y = ctx.expectShape('self-attention', (await run(x)).y, x.shape);
        const yp = ctx.expectShape('self-attention of the permuted tokens', (await run(permuted)).y, x.shape);
        const expected = new Float64Array(y.data.length);
        permutation.forEach((from, to) => expected.set(y.data.subarray(from * width, (from + 1) * width), to * width));
        // Both sides carry the error of the projections (fan-in width, 3 layers deep) and of the attention.
        const scale = maxAbs(y.data) + 1;
        const roundings = 2 * (attentionRoundings(DK, LENGTH, 4 * width, ctx.precision) + 3 * (width + 1));
        ctx.expectClose({
          what: 'SelfAttention(P X) against P SelfAttention(X)',
          actual: yp,
          expected,
          scale: expected.map(() => scale),
          roundings,
          shape: x.shape,
        });
      },
    },
    {
      name: 'attention scales the scores by 1/sqrt(d_k)',
      kind: 'exact',
      equation:
        'softmax(Q K^T / sqrt(d_k)) V against a float64 evaluation; a scale of 1/d_k or none changes the weights',
      source: 'Vaswani et al. 2017, eq. 1 and sec. 3.2.1 (scaled dot-product attention)',
      requires: ['architectures'],
      async run(backend, ctx) {
        for (const dk of [4, 16]) {
          const [q, k, v] = [0, 1, 2].map((s) => tokens([2, LENGTH, dk], ctx.subSeed(dk), s));
          const { out, magnitude } = expectedAttention(q, k, v);
          const actual = (await attention(backend, q, k, v)).output;
          const scale = maxAbs(v.data);
          ctx.expectClose({
            what: `attention output, d_k = ${dk}`,
            actual,
            expected: out,
            scale: out.map(() => scale),
            roundings: attentionRoundings(dk, LENGTH, magnitude, ctx.precision),
            shape: q.shape,
          });
        }
      },
    },
    {
      name: 'GroupNorm and LayerNorm give zero mean and unit variance per group or token before the affine',
      kind: 'exact',
      equation:
        'y = (x - mu) / sqrt(sigma^2 + eps): mean_group y = 0 and mean_group y^2 = sigma^2 / (sigma^2 + eps), sigma^2 ' +
        'the biased variance',
      source: 'Wu & He 2018, eq. 1-2 (GroupNorm); Ba et al. 2016, eq. 4 (LayerNorm)',
      requires: ['architectures'],
      async run(backend, ctx) {
        const image = tokens([2, 4, 3, 3], ctx.subSeed(0), 0, 2);
        image.data.forEach((v, i) => ((image.data as Float64Array)[i] = v + 1.5));
        const sequence = tokens([2, 3, 8], ctx.subSeed(0), 1, 0.5);
        const out = await training(backend).runGraph(
          async (g, input) => ({
            group: await groupStandardise(g, input('image'), 2),
            layer: await layerNorm(
              g,
              () => {
                throw new Error('no affine');
              },
              input('sequence'),
            ),
          }),
          { image, sequence },
        );
        const cases: [string, Tensor, Tensor | undefined, number, number][] = [
          ['GroupNorm (2 groups of 2 channels of 3 x 3)', image, out.group, 18, GROUP_NORM_EPSILON],
          ['LayerNorm (tokens of 8)', sequence, out.layer, 8, LAYER_NORM_EPSILON],
        ];
        for (const [what, x, y, m, epsilon] of cases) {
          const actual = ctx.expectShape(what, y, x.shape);
          const rows = x.data.length / m;
          const means = new Float64Array(rows);
          const squares = new Float64Array(rows);
          const expectedSquares = new Float64Array(rows);
          const scales = new Float64Array(rows);
          for (let r = 0; r < rows; r++) {
            const xs = x.data.subarray(r * m, (r + 1) * m);
            const mu = sumOf(xs) / m;
            const variance = sumOf(xs, (b) => (b - mu) ** 2) / m;
            expectedSquares[r] = variance / (variance + epsilon);
            scales[r] = (maxAbs(xs) + Math.abs(mu)) / Math.sqrt(variance + epsilon);
            for (let i = r * m; i < (r + 1) * m; i++) {
              means[r] += actual.data[i] / m;
              squares[r] += actual.data[i] ** 2 / m;
            }
          }
          const k = normalizationRoundings(m) + m;
          ctx.expectClose({
            what: `${what}: mean per row`,
            actual: { shape: [rows], data: means },
            expected: means.map(() => 0),
            scale: scales,
            roundings: k,
          });
          ctx.expectClose({
            what: `${what}: mean square per row`,
            actual: { shape: [rows], data: squares },
            expected: expectedSquares,
            scale: scales.map((s) => 2 * s * s),
            roundings: k,
          });
        }
      },
    },
    {
      name: 'a DiT block at initialisation is the identity (adaLN-Zero), whatever its attention and MLP weights',
      kind: 'exact',
      equation: 'gate_1 = gate_2 = 0 at initialisation, so z + gate_1 Attention(...) + gate_2 MLP(...) = z exactly',
      source: 'Peebles & Xie 2023, sec. 3.2 (adaLN-Zero)',
      requires: ['architectures'],
      async run(backend, ctx) {
        const model: DiTSpec = {
          architecture: 'dit',
          channels: 1,
          height: 4,
          width: 8,
          patch: 2,
          depth: 1,
          hidden: 8,
          heads: 2,
          classes: 0,
        };
        const init = initialWeights(model, ctx.subSeed(0));
        const block: Record<string, Tensor> = {};
        for (const [name, t] of Object.entries(init)) {
          if (!name.startsWith('blocks.0.')) continue;
          // Query and key weights 300x their initial size: scores far
          // beyond exp's range unless the softmax subtracts the max.
          const large = name.includes('attention.q.') || name.includes('attention.k.');
          block[`block.${name.slice('blocks.0.'.length)}`] = {
            shape: t.shape,
            data: t.data.map((v) => (large ? 300 * v : v)),
          };
        }
        const z = tokens([2, 8, 8], ctx.subSeed(1), 0, 3);
        const c = tokens([2, 8], ctx.subSeed(1), 1);
        const out = await training(backend).runGraph(
          async (g, input) => ({
            z: await ditBlock(g, (name) => input(name), 'block', input('z'), input('c'), model.heads),
          }),
          { ...block, z, c },
        );
        const actual = ctx.expectShape('DiT block output', out.z, z.shape);
        // Exact: 0 times a finite value is 0 and z + 0 = z in every precision, after z's one rounding to the backend's.
        const rounded = ctx.precision === 'float32' ? Float32Array.from(z.data) : z.data;
        actual.data.forEach((v, i) => {
          if (v !== rounded[i]) ctx.fail(`block output [${i}] = ${v}, its input ${rounded[i]}`);
        });
      },
    },
    {
      name: 'patchify is the definition and unpatchify inverts it',
      kind: 'exact',
      equation: 'patchify(x)[n, a W/p + b, (u p + v) C + c] = x[n, c, a p + u, b p + v]; unpatchify(patchify(x)) = x',
      source: 'Dosovitskiy et al. 2021, sec. 3.1; Peebles & Xie 2023 (unpatchify)',
      requires: ['architectures'],
      async run(backend, ctx) {
        const [n, c, h, w, p] = [2, 3, 4, 6, 2];
        const x = tokens([n, c, h, w], ctx.subSeed(0), 0);
        const out = await training(backend).runGraph(
          async (g, input) => {
            const patches = await patchify(g, input('x'), p);
            return { patches, back: await unpatchify(g, patches, p, h, w) };
          },
          { x },
        );
        const columns = w / p;
        const expected = new Float64Array(x.data.length);
        for (let b = 0; b < n; b++)
          for (let ch = 0; ch < c; ch++)
            for (let i = 0; i < h; i++)
              for (let j = 0; j < w; j++) {
                const token = Math.floor(i / p) * columns + Math.floor(j / p);
                const feature = ((i % p) * p + (j % p)) * c + ch;
                expected[(b * (h / p) * columns + token) * p * p * c + feature] =
                  x.data[((b * c + ch) * h + i) * w + j];
              }
        // Data movement only: exact after the input's one rounding.
        ctx.expectClose({
          what: 'patchify',
          actual: out.patches,
          expected,
          scale: expected.map(Math.abs),
          roundings: 1,
          shape: [n, (h / p) * columns, p * p * c],
        });
        ctx.expectClose({
          what: 'unpatchify(patchify(x))',
          actual: out.back,
          expected: x.data,
          scale: x.data.map(Math.abs),
          roundings: 1,
          shape: x.shape,
        });
      },
    },
    {
      name: 'a U-Net output has the input shape at every supported size; other sizes are errors naming the field',
      kind: 'exact',
      equation:
        'eps_theta(x_t, t) has the shape of x_t (and the reference values) for H, W multiples of 2^(levels - 1); ' +
        'otherwise an input error on model.height / model.width',
      source: 'Ho et al. 2020, appendix B (the U-Net predicts eps, shaped as x_t)',
      requires: ['architectures'],
      async run(backend, ctx) {
        const base = { channels: 2, baseChannels: 4, groups: 2, heads: 2, classes: 0 };
        const specs: UNetSpec[] = [
          { architecture: 'unet', ...base, height: 8, width: 8, levels: 2, skip: 'add' },
          { architecture: 'unet', ...base, height: 8, width: 8, levels: 3, skip: 'concat' },
          { architecture: 'unet-attn', ...base, height: 8, width: 8, levels: 3, skip: 'add' },
        ];
        for (const [i, spec] of specs.entries()) {
          const factor = 2 ** (spec.levels - 1);
          const sizes: [number, number][] = [
            ...[1, 2, 3, 4].map((m): [number, number] => [m * factor, m * factor]),
            [factor, 3 * factor],
            [32, 32],
          ];
          const weights = initialWeights(spec, ctx.subSeed(i));
          for (const [height, width] of sizes) {
            const model = { ...spec, height, width };
            const x = gaussianTensor([1, spec.channels, height, width], ctx.subSeed(i), 1);
            const out = await training(backend).predict({ model, weights, x, t: Int32Array.of(7), T: SCHEDULE.T });
            const what = `${spec.architecture} (${spec.skip}, ${spec.levels} levels) at ${height} x ${width}`;
            // The values too: a layer that returns another size than the Graph expects shows as a wrong output.
            const expected = await training(cpuBackend).predict({
              model,
              weights,
              x,
              t: Int32Array.of(7),
              T: SCHEDULE.T,
            });
            const magnitude = maxAbs(expected.data) + 1;
            ctx.expectClose({
              what,
              actual: out,
              expected: expected.data,
              scale: expected.data.map(() => magnitude),
              roundings: modelRoundings(model, ctx.precision),
              shape: x.shape,
            });
          }
          for (const key of ['height', 'width'] as const) {
            const model = { ...spec, [key]: factor + 1 };
            const x = gaussianTensor([1, spec.channels, model.height, model.width], ctx.subSeed(i), 2);
            const error = await training(backend)
              .predict({
                model,
                weights,
                x,
                t: Int32Array.of(7),
                T: SCHEDULE.T,
              })
              .then(
                () => undefined,
                (e: unknown) => e,
              );
            if (!(error instanceof DiffspecInputError && error.field === `model.${key}`))
              ctx.fail(
                `${spec.architecture} with ${key} ${factor + 1} (not a multiple of ${factor}): expected an input error on model.${key}, got ${String(error)}`,
              );
          }
        }
      },
    },
    {
      name: 'the timestep, and the class of a class-conditional model, change the output',
      kind: 'exact',
      equation:
        "eps_theta(x, t) != eps_theta(x, t') for t != t'; eps_theta(x, t, c) != eps_theta(x, t, c') (beyond the " +
        'rounding bound)',
      source:
        'Ho et al. 2020, appendix B (the timestep embedding enters every residual block); Peebles & Xie 2023 (adaLN)',
      requires: ['architectures'],
      async run(backend, ctx) {
        for (const [i, model] of SMALL_MODELS.entries()) {
          const weights = randomWeights(model, ctx.subSeed(i));
          const x = gaussianTensor([2, model.channels, model.height, model.width], ctx.subSeed(i), 1);
          const predict = (t: number, label: number) =>
            training(backend).predict({
              model,
              weights,
              x,
              t: Int32Array.of(t, t),
              T: SCHEDULE.T,
              labels: Int32Array.of(label, label),
            });
          const reference = await predict(10, 0);
          const bound =
            2 * relativeBound(modelRoundings(model, ctx.precision), ctx.precision) * (maxAbs(reference.data) + 1);
          for (const [what, other] of [
            ['t = 10 and t = 90', await predict(90, 0)],
            ['class 0 and class 1', await predict(10, 1)],
          ] as const) {
            const change = maxAbs(reference.data.map((v, j) => v - other.data[j]));
            if (!(change > bound))
              ctx.fail(
                `${model.architecture}: the outputs at ${what} differ by at most ${change}, within the rounding bound ${bound.toExponential(2)}`,
              );
          }
        }
      },
    },
    {
      name: 'every parameter gradient of U-Net, U-Net with attention and DiT equals central finite differences of L_simple',
      kind: 'property',
      equation:
        'dL/dw . v = (L(w + h v) - L(w - h v)) / 2h + O(h^2) for a random unit direction v in each parameter tensor, L ' +
        'from the float64 reference',
      source: 'Ho et al. 2020, eq. 14 (the loss differentiated); central differences as in every gradient check',
      requires: ['architectures'],
      async run(backend, ctx) {
        for (const [i, model] of SMALL_MODELS.entries()) {
          const weights = randomWeights(model, ctx.subSeed(i));
          const shape = [2, model.channels, model.height, model.width];
          const x0 = gaussianTensor(shape, ctx.subSeed(i), 1);
          const noise = gaussianTensor(shape, ctx.subSeed(i), 2);
          const t = Int32Array.from(uniformValues(ctx.subSeed(i), 3, 2), (u) => 1 + Math.floor(u * SCHEDULE.T));
          const labels = someLabels(2, model.classes);
          const { gradients, loss } = await training(backend).lossAndGradients({
            model,
            weights,
            schedule: SCHEDULE,
            x0,
            t,
            noise,
            labels,
          });
          const xt = noised(x0, noise, t);
          const bound =
            FINITE_DIFFERENCE.relative + 2 * relativeBound(modelRoundings(model, ctx.precision), ctx.precision);
          // The difference quotient's cancellation: each L is rounded once in float64, |dL| <= 2 u |L| / 2h.
          const cancellation = (4 * unitRoundoff('float64') * Math.abs(loss)) / FINITE_DIFFERENCE.step;
          for (const [j, p] of architectureOf(model).parameters(model).entries()) {
            const g = ctx.expectShape(`d L / d ${p.name}`, gradients[p.name], p.shape).data;
            const v = gaussianValues(ctx.subSeed(1000 * i + j), 0, g.length);
            const length = Math.hypot(...v);
            v.forEach((x, k) => (v[k] = x / length));
            const shifted = async (sign: number) =>
              referenceLoss(
                model,
                {
                  ...weights,
                  [p.name]: {
                    shape: p.shape,
                    data: weights[p.name].data.map((w, k) => w + sign * FINITE_DIFFERENCE.step * v[k]),
                  },
                },
                xt,
                noise,
                t,
                labels,
              );
            // The reference's differences depend on the seed only: computed once and shared by every backend's run.
            const key = `${ctx.seed} ${i} ${p.name}`;
            const fd =
              REFERENCE_DIFFERENCES.get(key) ??
              ((await shifted(1)) - (await shifted(-1))) / (2 * FINITE_DIFFERENCE.step);
            REFERENCE_DIFFERENCES.set(key, fd);
            const dot = sumOf(g, (x, k) => x * v[k]);
            const norm = Math.sqrt(sumOf(g, (x) => x * x));
            const limit = bound * norm + cancellation;
            const which = `${model.architecture} (${'skip' in model ? model.skip : `patch ${model.patch}`}) ${p.name}`;
            const found = `directional derivative ${dot} but central difference ${fd}`;
            if (!(Math.abs(dot - fd) <= limit)) ctx.fail(`${which}: ${found} (bound ${limit.toExponential(2)})`);
          }
        }
      },
    },
  ],
);
