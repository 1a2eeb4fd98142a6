import type { Activation, LayerGradients, TrainingKernels } from '../../src/contract/training.js';
import { gpujsArchitectureKernels } from './architecture.js';
import { DIVIDE } from './indexing.js';
import type { GpujsRunner, GpujsTensor } from './types.js';

const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);
const GELU_CUBIC = 0.044715;

/**
 * tanh(z) = sign(z) (1 - e) / (1 + e), e = exp(-2 |z|): never overflows. GPU.js's GLSL tanh is
 * (exp(2z) - 1) / (exp(2z) + 1), which is inf / inf = NaN from z = 44 on. Its error is a few ulp of 1, the
 * magnitude of the (1 + tanh) and (1 - tanh^2) it enters.
 */
const TANH = (z: string) => `const e = Math.exp(-2 * Math.abs(${z}));
  let th = (1 - e) / (1 + e);
  if (${z} < 0) th = -th;`;

/** The inner term of the tanh-form GELU, z = x (sqrt(2/pi) + sqrt(2/pi) 0.044715 x^2) (src/equations/activation.ts). */
const GELU_Z = 'x * (a + b * x * x)';

/** The im2col gather with row n P + p read from the thread index `item` and column k from `tap` (SOURCES.im2col). */
const IM2COL = (item: string, tap: string) => `function (x, C, H, W, S, p, stride, Ho, Wo) {
  const P = Ho * Wo;
  const n = ${DIVIDE(item, 'P')};
  const q = ${item} - n * P;
  const i = ${DIVIDE('q', 'Wo')};
  const j = q - i * Wo;
  const c = ${DIVIDE(tap, 'S * S')};
  const r = ${tap} - c * S * S;
  const u = ${DIVIDE('r', 'S')};
  const v = r - u * S;
  const yi = stride * i + u - p;
  const xj = stride * j + v - p;
  if (yi < 0 || yi >= H || xj < 0 || xj >= W) return 0;
  return x[n][(c * H + yi) * W + xj];
}`;

/**
 * Kernel sources as text (see kernels.ts). Tensors are [rows, cols] matrices: an NCHW activation is [N, C H W],
 * a weight [O, C S S] (torch's [O, C, S, S]) and a bias [O] a column [O, 1]. Every output element is one
 * dot product (plus a bias), so the float32 error of each is the dot product bound of src/speckit/tolerance.ts.
 */
const SOURCES = {
  // im2col: Xc[n P + p, k] = x[n, c, s i + u - p, s j + v - p] (zero outside), p = i Wo + j, k = (c S + u) S + v,
  // s the stride
  im2col: IM2COL('this.thread.y', 'this.thread.x'),
  // The transpose of im2col: XcT[k, n P + p] = Xc[n P + p, k]
  im2colTransposed: IM2COL('this.thread.x', 'this.thread.y'),
  // The input gradient's im2col: Dc[n H W + q, (o S + u) S + v] = dy[n, o, (yi - u + p) / s, (xj - v + p) / s],
  // q = yi W + xj, zero where s does not divide (a position the strided convolution skips)
  im2colBackward: `function (dy, H, W, S, p, stride, Ho, Wo) {
  const P = H * W;
  const n = ${DIVIDE('this.thread.y', 'P')};
  const q = this.thread.y - n * P;
  const yi = ${DIVIDE('q', 'W')};
  const xj = q - yi * W;
  const o = ${DIVIDE('this.thread.x', 'S * S')};
  const r = this.thread.x - o * S * S;
  const u = ${DIVIDE('r', 'S')};
  const v = r - u * S;
  const si = yi - u + p;
  const sj = xj - v + p;
  const i = ${DIVIDE('si', 'stride')};
  const j = ${DIVIDE('sj', 'stride')};
  if (i * stride !== si || j * stride !== sj) return 0;
  if (i < 0 || i >= Ho || j < 0 || j >= Wo) return 0;
  return dy[n][(o * Ho + i) * Wo + j];
}`,
  // The weight with its two channel axes swapped: Wt[c, (o S + u) S + v] = w[o, (c S + u) S + v]
  weightTransposed: `function (w, C, S) {
  const o = ${DIVIDE('this.thread.x', 'S * S')};
  const r = this.thread.x - o * S * S;
  return w[o][this.thread.y * S * S + r];
}`,
  // An NCHW tensor as [C, N H W]: T[c, n P + q] = x[n, c P + q]
  channelsFirst: `function (x, P) {
  const n = ${DIVIDE('this.thread.x', 'P')};
  const q = this.thread.x - n * P;
  return x[n][this.thread.y * P + q];
}`,
  // y[n, o P + q] = b[o] + sum_k A[o, k] B[n P + q, k]: a matrix product with contiguous rows, the sum in the
  // order of k as the direct convolution's (zero products of the padding add nothing), four terms per iteration
  convGemm: `function (A, B, b, K, P) {
  const o = ${DIVIDE('this.thread.x', 'P')};
  const row = this.thread.y * P + this.thread.x - o * P;
  let sum = b[o][0];
  const K4 = Math.floor(K / 4) * 4;
  for (let k = 0; k < K4; k += 4) {
    sum = sum + A[o][k] * B[row][k];
    sum = sum + A[o][k + 1] * B[row][k + 1];
    sum = sum + A[o][k + 2] * B[row][k + 2];
    sum = sum + A[o][k + 3] * B[row][k + 3];
  }
  for (let kr = K4; kr < K; kr += 1) sum = sum + A[o][kr] * B[row][kr];
  return sum;
}`,
  // C[y, x] = sum_k A[y, k] B[x, k]
  matmulTransposed: `function (A, B, K) {
  let sum = 0;
  const K4 = Math.floor(K / 4) * 4;
  for (let k = 0; k < K4; k += 4) {
    sum = sum + A[this.thread.y][k] * B[this.thread.x][k];
    sum = sum + A[this.thread.y][k + 1] * B[this.thread.x][k + 1];
    sum = sum + A[this.thread.y][k + 2] * B[this.thread.x][k + 2];
    sum = sum + A[this.thread.y][k + 3] * B[this.thread.x][k + 3];
  }
  for (let kr = K4; kr < K; kr += 1) sum = sum + A[this.thread.y][kr] * B[this.thread.x][kr];
  return sum;
}`,
  // db[o] = sum_{n,i,j} dy[n, o, i, j]; for a dense layer (HW = 1) db[o] = sum_n dy[n, o]
  biasGradient: `function (dy, N, HW) {
  const o = this.thread.y;
  let sum = 0;
  for (let n = 0; n < N; n++) {
    for (let k = 0; k < HW; k++) sum = sum + dy[n][o * HW + k];
  }
  return sum;
}`,
  // y[n, o] = b[o] + sum_i w[o, i] x[n, i]
  dense: `function (x, w, b, D) {
  let sum = b[this.thread.x][0];
  for (let i = 0; i < D; i++) sum = sum + w[this.thread.x][i] * x[this.thread.y][i];
  return sum;
}`,
  // dx[n, i] = sum_o dy[n, o] w[o, i]
  denseInputGradient: `function (dy, w, O) {
  let sum = 0;
  for (let o = 0; o < O; o++) sum = sum + dy[this.thread.y][o] * w[o][this.thread.x];
  return sum;
}`,
  // dw[o, i] = sum_n dy[n, o] x[n, i]
  denseWeightGradient: `function (x, dy, N) {
  let sum = 0;
  for (let n = 0; n < N; n++) sum = sum + dy[n][this.thread.y] * x[n][this.thread.x];
  return sum;
}`,
  relu: 'function (x) { return Math.max(x[this.thread.y][this.thread.x], 0); }',
  // f'(x) = [x > 0]
  reluBackward: `function (x, dy) {
  if (x[this.thread.y][this.thread.x] > 0) return dy[this.thread.y][this.thread.x];
  return 0;
}`,
  // 0.5 x (1 + th), th = tanh(z)
  gelu: `function (x0, a, b) {
  const x = x0[this.thread.y][this.thread.x];
  ${TANH(GELU_Z)}
  return 0.5 * x * (1 + th);
}`,
  // f'(x) dy = 0.5 ((1 + th) + x (1 - th^2) (a + 3 b x^2)) dy, th = tanh(z)
  geluBackward: `function (x0, dy, a, b) {
  const x = x0[this.thread.y][this.thread.x];
  ${TANH(GELU_Z)}
  return ((1 + th) + x * (1 - th * th) * (a + 3 * b * x * x)) * (0.5 * dy[this.thread.y][this.thread.x]);
}`,
  concat: `function (a, b, aCols) {
  if (this.thread.x < aCols) return a[this.thread.y][this.thread.x];
  return b[this.thread.y][this.thread.x - aCols];
}`,
  // m_k = b1 m + (1 - b1) g (src/equations/adam.ts)
  adamFirstMoment: `function (m, g, beta, oneMinusBeta) {
  return beta * m[this.thread.y][this.thread.x] + oneMinusBeta * g[this.thread.y][this.thread.x];
}`,
  // v_k = b2 v + (1 - b2) g^2
  adamSecondMoment: `function (v, g, beta, oneMinusBeta) {
  const gi = g[this.thread.y][this.thread.x];
  return beta * v[this.thread.y][this.thread.x] + oneMinusBeta * gi * gi;
}`,
  // theta - lr (m_k / (1 - b1^k)) / (sqrt(v_k / (1 - b2^k)) + eps), lr / (1 - b1^k) folded in float64
  adamParameter: `function (theta, m, v, stepSize, vCorrection, epsilon) {
  const mi = m[this.thread.y][this.thread.x];
  const vi = v[this.thread.y][this.thread.x];
  return theta[this.thread.y][this.thread.x] - (stepSize * mi) / (Math.sqrt(vi * vCorrection) + epsilon);
}`,
  sumOfSquares: `function (x, m) {
  let sum = 0;
  for (let i = 0; i < m; i++) sum = sum + x[this.thread.x][i] * x[this.thread.x][i];
  return sum;
}`,
};

/** The training kernels on GPU.js: one GPU.js kernel per output tensor, sharing the runner of the TensorKernels. */
export function gpujsTrainingKernels(runner: GpujsRunner): TrainingKernels<GpujsTensor> {
  const { argument, run } = runner;
  const [a, b] = [SQRT_2_OVER_PI, SQRT_2_OVER_PI * GELU_CUBIC];

  /** N, C, H, W of an NCHW input; O and S of its [O, C, S, S] weight; the output's Ho, Wo at this stride. */
  function convGeometry(x: GpujsTensor, weight: GpujsTensor, padding: number, stride: number) {
    const [N, C, H, W] = x.shape;
    const [O, , S] = weight.shape;
    const out = (d: number) => Math.floor((d + 2 * padding - S) / stride) + 1;
    return { N, C, H, W, O, S, Ho: out(H), Wo: out(W) };
  }

  /** A zero bias [rows, 1] on the host. */
  const zeros = (rows: number): GpujsTensor => ({ shape: [rows, 1], rows, cols: 1, value: new Float32Array(rows) });

  /** y[n, o P + q] = bias[o] + sum_k a[o, k] columns[n P + q, k]: an NCHW result [N, O, Ho, Wo], P = Ho Wo. */
  const gemm = (a: GpujsTensor, columns: GpujsTensor, bias: GpujsTensor, shape: number[]) =>
    run('convGemm', SOURCES.convGemm, shape, [
      argument(a),
      argument(columns),
      argument(bias),
      a.cols,
      shape[2] * shape[3],
    ]);

  /** The convolution at every stride-th output position: im2col and a matrix product. */
  async function convolve(x: GpujsTensor, weight: GpujsTensor, bias: GpujsTensor, padding: number, stride: number) {
    const { N, C, H, W, S, Ho, Wo } = convGeometry(x, weight, padding, stride);
    const shape = [N * Ho * Wo, C * S * S];
    const columns = await run('im2col', SOURCES.im2col, shape, [argument(x), C, H, W, S, padding, stride, Ho, Wo]);
    const y = await gemm(weight, columns, bias, [N, weight.rows, Ho, Wo]);
    runner.dispose(columns);
    return y;
  }

  async function convolveBackward(
    x: GpujsTensor,
    weight: GpujsTensor,
    dOut: GpujsTensor,
    padding: number,
    stride: number,
  ): Promise<LayerGradients<GpujsTensor>> {
    const { N, C, H, W, O, S, Ho, Wo } = convGeometry(x, weight, padding, stride);
    const dy = argument(dOut);
    // dx: the product of the weight, channels swapped, with dy's columns
    const dyShape = [N * H * W, O * S * S];
    const dyArgs = [dy, H, W, S, padding, stride, Ho, Wo];
    const dyColumns = await run('im2colBackward', SOURCES.im2colBackward, dyShape, dyArgs);
    const weightT = await run('weightTransposed', SOURCES.weightTransposed, [C, O * S * S], [argument(weight), C, S]);
    const dx = await gemm(weightT, dyColumns, zeros(C), [N, C, H, W]);
    // dWeight: dy, channels first, times the transposed columns of x
    const dyT = await run('channelsFirst', SOURCES.channelsFirst, [O, N * Ho * Wo], [dy, Ho * Wo]);
    const xArgs = [argument(x), C, H, W, S, padding, stride, Ho, Wo];
    const columnsT = await run('im2colTransposed', SOURCES.im2colTransposed, [C * S * S, N * Ho * Wo], xArgs);
    const dwArgs = [argument(dyT), argument(columnsT), N * Ho * Wo];
    const dWeight = await run('matmulTransposed', SOURCES.matmulTransposed, [O, C, S, S], dwArgs);
    const dBias = await run('biasGradient', SOURCES.biasGradient, [O], [dy, N, Ho * Wo]);
    for (const t of [dyColumns, weightT, dyT, columnsT]) runner.dispose(t);
    return { dx, dWeight, dBias };
  }

  return {
    conv2d: (x, weight, bias, padding) => convolve(x, weight, bias, padding, 1),
    conv2dBackward: (x, weight, dOut, padding) => convolveBackward(x, weight, dOut, padding, 1),

    dense: (x, weight, bias) =>
      run('dense', SOURCES.dense, [x.rows, weight.rows], [argument(x), argument(weight), argument(bias), x.cols]),

    async denseBackward(x, weight, dOut): Promise<LayerGradients<GpujsTensor>> {
      const dy = argument(dOut);
      return {
        dx: await run('denseInputGradient', SOURCES.denseInputGradient, x.shape, [dy, argument(weight), weight.rows]),
        dWeight: await run('denseWeightGradient', SOURCES.denseWeightGradient, weight.shape, [argument(x), dy, x.rows]),
        dBias: await run('biasGradient', SOURCES.biasGradient, [weight.rows], [dy, x.rows, 1]),
      };
    },

    activation: (kind: Activation, x) =>
      kind === 'relu'
        ? run('relu', SOURCES.relu, x.shape, [argument(x)])
        : run('gelu', SOURCES.gelu, x.shape, [argument(x), a, b]),

    activationBackward: (kind: Activation, x, dOut) =>
      kind === 'relu'
        ? run('reluBackward', SOURCES.reluBackward, x.shape, [argument(x), argument(dOut)])
        : run('geluBackward', SOURCES.geluBackward, x.shape, [argument(x), argument(dOut), a, b]),

    concatChannels: (first, second) =>
      run(
        'concat',
        SOURCES.concat,
        [first.shape[0], first.shape[1] + second.shape[1], ...first.shape.slice(2)],
        [argument(first), argument(second), first.cols],
      ),

    async adamUpdate(param, grad, m, v, c) {
      const g = argument(grad);
      const mNext = await run('adamFirstMoment', SOURCES.adamFirstMoment, m.shape, [
        argument(m),
        g,
        c.beta1,
        1 - c.beta1,
      ]);
      const vNext = await run('adamSecondMoment', SOURCES.adamSecondMoment, v.shape, [
        argument(v),
        g,
        c.beta2,
        1 - c.beta2,
      ]);
      const paramNext = await run('adamParameter', SOURCES.adamParameter, param.shape, [
        argument(param),
        argument(mNext),
        argument(vNext),
        c.learningRate * c.mCorrection,
        c.vCorrection,
        c.epsilon,
      ]);
      return { param: paramNext, m: mNext, v: vNext };
    },

    async sumOfSquares(x) {
      // Each row's sum in float32 on the engine, the rows added on the host in float64.
      return (
        await runner.rowValues('sumOfSquares', SOURCES.sumOfSquares, x.rows, x.cols, [argument(x), x.cols])
      ).reduce((s, r) => s + r, 0);
    },

    architecture: gpujsArchitectureKernels(runner, convolve, convolveBackward),
  };
}
