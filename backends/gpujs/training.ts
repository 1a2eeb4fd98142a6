import type { Activation, LayerGradients, TrainingKernels } from '../../src/contract/training.js';
import type { GpujsRunner, GpujsTensor } from './types.js';

const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);
const GELU_CUBIC = 0.044715;

/**
 * Index arithmetic: GLSL computes in float32, where a quotient of exact integers may land just below the integer
 * it should be; flooring (q + 0.5) / d is exact for every q < 2^22 (the items here are far smaller).
 */
const DIVIDE = (q: string, d: string) => `Math.floor((${q} + 0.5) / (${d}))`;

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

/**
 * Kernel sources as text (see kernels.ts). Tensors are [rows, cols] matrices: an NCHW activation is [N, C H W],
 * a weight [O, C S S] (torch's [O, C, S, S]) and a bias [O] a column [O, 1]. Every output element is one
 * dot product (plus a bias), so the float32 error of each is the dot product bound of src/speckit/tolerance.ts.
 */
const SOURCES = {
  // y[n, o, i, j] = b[o] + sum_{c,u,v} w[o, c, u, v] x[n, c, i + u - p, j + v - p]
  conv2d: `function (x, w, b, C, H, W, S, p, Ho, Wo) {
  const o = ${DIVIDE('this.thread.x', 'Ho * Wo')};
  const r = this.thread.x - o * Ho * Wo;
  const i = ${DIVIDE('r', 'Wo')};
  const j = r - i * Wo;
  let sum = b[o][0];
  for (let c = 0; c < C; c++) {
    for (let u = 0; u < S; u++) {
      const yi = i + u - p;
      if (yi >= 0 && yi < H) {
        for (let v = 0; v < S; v++) {
          const xj = j + v - p;
          if (xj >= 0 && xj < W) sum = sum + w[o][(c * S + u) * S + v] * x[this.thread.y][(c * H + yi) * W + xj];
        }
      }
    }
  }
  return sum;
}`,
  // dx[n, c, yi, xj] = sum_{o,u,v} w[o, c, u, v] dy[n, o, yi - u + p, xj - v + p]
  conv2dInputGradient: `function (dy, w, O, H, W, S, p, Ho, Wo) {
  const c = ${DIVIDE('this.thread.x', 'H * W')};
  const r = this.thread.x - c * H * W;
  const yi = ${DIVIDE('r', 'W')};
  const xj = r - yi * W;
  let sum = 0;
  for (let o = 0; o < O; o++) {
    for (let u = 0; u < S; u++) {
      const i = yi - u + p;
      if (i >= 0 && i < Ho) {
        for (let v = 0; v < S; v++) {
          const j = xj - v + p;
          if (j >= 0 && j < Wo) sum = sum + w[o][(c * S + u) * S + v] * dy[this.thread.y][(o * Ho + i) * Wo + j];
        }
      }
    }
  }
  return sum;
}`,
  // dw[o, c, u, v] = sum_{n,i,j} dy[n, o, i, j] x[n, c, i + u - p, j + v - p]
  conv2dWeightGradient: `function (x, dy, N, H, W, S, p, Ho, Wo) {
  const o = this.thread.y;
  const c = ${DIVIDE('this.thread.x', 'S * S')};
  const r = this.thread.x - c * S * S;
  const u = ${DIVIDE('r', 'S')};
  const v = r - u * S;
  let sum = 0;
  for (let n = 0; n < N; n++) {
    for (let i = 0; i < Ho; i++) {
      const yi = i + u - p;
      if (yi >= 0 && yi < H) {
        for (let j = 0; j < Wo; j++) {
          const xj = j + v - p;
          if (xj >= 0 && xj < W) sum = sum + dy[n][(o * Ho + i) * Wo + j] * x[n][(c * H + yi) * W + xj];
        }
      }
    }
  }
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

  /** N, C, H, W of an NCHW input; O and S of its [O, C, S, S] weight; the output's Ho, Wo. */
  function convGeometry(x: GpujsTensor, weight: GpujsTensor, padding: number) {
    const [N, C, H, W] = x.shape;
    const [O, , S] = weight.shape;
    return { N, C, H, W, O, S, Ho: H + 2 * padding - S + 1, Wo: W + 2 * padding - S + 1 };
  }

  return {
    conv2d(x, weight, bias, padding) {
      const { N, C, H, W, O, S, Ho, Wo } = convGeometry(x, weight, padding);
      return run('conv2d', SOURCES.conv2d, [N, O, Ho, Wo], [argument(x), argument(weight), argument(bias), C, H, W, S, padding, Ho, Wo]);
    },

    async conv2dBackward(x, weight, dOut, padding): Promise<LayerGradients<GpujsTensor>> {
      const { N, C, H, W, O, S, Ho, Wo } = convGeometry(x, weight, padding);
      const dy = argument(dOut);
      return {
        dx: await run('conv2dInputGradient', SOURCES.conv2dInputGradient, [N, C, H, W], [dy, argument(weight), O, H, W, S, padding, Ho, Wo]),
        dWeight: await run('conv2dWeightGradient', SOURCES.conv2dWeightGradient, [O, C, S, S], [argument(x), dy, N, H, W, S, padding, Ho, Wo]),
        dBias: await run('biasGradient', SOURCES.biasGradient, [O], [dy, N, Ho * Wo]),
      };
    },

    dense: (x, weight, bias) => run('dense', SOURCES.dense, [x.rows, weight.rows], [argument(x), argument(weight), argument(bias), x.cols]),

    async denseBackward(x, weight, dOut): Promise<LayerGradients<GpujsTensor>> {
      const dy = argument(dOut);
      return {
        dx: await run('denseInputGradient', SOURCES.denseInputGradient, x.shape, [dy, argument(weight), weight.rows]),
        dWeight: await run('denseWeightGradient', SOURCES.denseWeightGradient, weight.shape, [argument(x), dy, x.rows]),
        dBias: await run('biasGradient', SOURCES.biasGradient, [weight.rows], [dy, x.rows, 1]),
      };
    },

    activation: (kind: Activation, x) =>
      kind === 'relu' ? run('relu', SOURCES.relu, x.shape, [argument(x)]) : run('gelu', SOURCES.gelu, x.shape, [argument(x), a, b]),

    activationBackward: (kind: Activation, x, dOut) =>
      kind === 'relu'
        ? run('reluBackward', SOURCES.reluBackward, x.shape, [argument(x), argument(dOut)])
        : run('geluBackward', SOURCES.geluBackward, x.shape, [argument(x), argument(dOut), a, b]),

    concatChannels: (first, second) =>
      run('concat', SOURCES.concat, [first.shape[0], first.shape[1] + second.shape[1], ...first.shape.slice(2)], [argument(first), argument(second), first.cols]),

    async adamUpdate(param, grad, m, v, c) {
      const g = argument(grad);
      const mNext = await run('adamFirstMoment', SOURCES.adamFirstMoment, m.shape, [argument(m), g, c.beta1, 1 - c.beta1]);
      const vNext = await run('adamSecondMoment', SOURCES.adamSecondMoment, v.shape, [argument(v), g, c.beta2, 1 - c.beta2]);
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
      return (await runner.rowValues('sumOfSquares', SOURCES.sumOfSquares, x.rows, x.cols, [argument(x), x.cols])).reduce((s, r) => s + r, 0);
    },
  };
}
