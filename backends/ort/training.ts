import type { Activation, TrainingKernels } from '../../src/contract/training.js';
import type { Deferred, DeferredEngine } from './deferred.js';

const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);
const GELU_CUBIC = 0.044715;

/**
 * im2col as a convolution: the one-hot kernel [C K K, 1, K, K] whose output channel c K^2 + u K + v copies input
 * channel c shifted by (u, v) (group C), so patches[n, c K^2 + u K + v, i, j] = x[n, c, i + u - p, j + v - p].
 */
function oneHotKernel(channels: number, size: number): Float32Array {
  const k2 = size * size;
  const data = new Float32Array(channels * k2 * k2);
  for (let c = 0; c < channels; c++) for (let uv = 0; uv < k2; uv++) data[(c * k2 + uv) * k2 + uv] = 1;
  return data;
}

/**
 * Training kernels as ONNX operators on the DeferredEngine (deferred.ts), float32. The convolution gradients
 * take the forms that run fast on ONNX Runtime's CPU kernels: the input gradient is a Conv of dOut with the
 * spatially flipped, transposed weights; the weight gradient is im2col (a grouped Conv with a fixed one-hot
 * kernel), one batched MatMul with dOut and a sum over the batch.
 */
export function ortTrainingKernels(e: DeferredEngine): TrainingKernels<Deferred> {
  const held = (d: Deferred) => e.hold(d);
  const input = (value: number) => e.input(Float32Array.of(value), []);

  /** th = tanh(x (sqrt(2/pi) + sqrt(2/pi) 0.044715 x^2)), the tanh-form GELU's inner term (src/equations). */
  const geluTanh = (x: Deferred, x2: Deferred) => {
    const inner = e.op(
      'Add',
      [e.op('Mul', [x2, e.scalar(SQRT_2_OVER_PI * GELU_CUBIC)], x.shape), e.scalar(SQRT_2_OVER_PI)],
      x.shape,
    );
    return e.op('Tanh', [e.op('Mul', [x, inner], x.shape)], x.shape);
  };

  return {
    conv2d(x, weight, bias, padding) {
      const [n, , height, width] = x.shape;
      const [out, , k] = weight.shape;
      const shape = [n, out, height + 2 * padding - k + 1, width + 2 * padding - k + 1];
      return held(e.op('Conv', [x, weight, bias], shape, { pads: [padding, padding, padding, padding] }));
    },

    conv2dBackward(x, weight, dOut, padding) {
      const [n, channels, height, width] = x.shape;
      const [out, , k] = weight.shape;
      const [, , outHeight, outWidth] = dOut.shape;
      // dx = dOut convolved with w[o, c] flipped in both spatial axes, as [c, o]; padding k - 1 - p restores H x W.
      const transposed = e.op('Transpose', [weight], [channels, out, k, k], { perm: [1, 0, 2, 3] });
      const flipped = e.op(
        'Slice',
        [transposed, e.ints([-1, -1]), e.ints([-k - 1, -k - 1]), e.ints([2, 3]), e.ints([-1, -1])],
        [channels, out, k, k],
      );
      const q = k - 1 - padding;
      let dx: Deferred;
      if (q >= 0) {
        dx = e.op('Conv', [dOut, flipped], x.shape, { pads: [q, q, q, q] });
      } else {
        // Padding beyond k - 1: the full correlation, cropped by -q on every side.
        const full = e.op('Conv', [dOut, flipped], [n, channels, height - 2 * q, width - 2 * q]);
        dx = e.op('Slice', [full, e.ints([-q, -q]), e.ints([height - q, width - q]), e.ints([2, 3])], x.shape);
      }
      const k2 = channels * k * k;
      const pixels = outHeight * outWidth;
      const patches = e.op(
        'Conv',
        [x, e.constant(`onehot${channels}x${k}`, oneHotKernel(channels, k), [k2, 1, k, k])],
        [n, k2, outHeight, outWidth],
        {
          pads: [padding, padding, padding, padding],
          group: channels,
        },
      );
      const rows = e.op('Reshape', [patches, e.ints([n, k2, pixels])], [n, k2, pixels]);
      const dOutColumns = e.op(
        'Transpose',
        [e.op('Reshape', [dOut, e.ints([n, out, pixels])], [n, out, pixels])],
        [n, pixels, out],
        { perm: [0, 2, 1] },
      );
      const perItem = e.op('MatMul', [rows, dOutColumns], [n, k2, out]);
      const summed = e.op('ReduceSum', [perItem, e.ints([0])], [k2, out], { keepdims: 0 });
      const dWeight = e.op(
        'Reshape',
        [e.op('Transpose', [summed], [out, k2], { perm: [1, 0] }), e.ints(weight.shape)],
        weight.shape,
      );
      const dBias = e.op('ReduceSum', [dOut, e.ints([0, 2, 3])], [out], { keepdims: 0 });
      return { dx: held(dx), dWeight: held(dWeight), dBias: held(dBias) };
    },

    dense: (x, weight, bias) => held(e.op('Gemm', [x, weight, bias], [x.shape[0], weight.shape[0]], { transB: 1 })),

    denseBackward(x, weight, dOut) {
      return {
        dx: held(e.op('MatMul', [dOut, weight], x.shape)),
        dWeight: held(e.op('Gemm', [dOut, x], weight.shape, { transA: 1 })),
        dBias: held(e.op('ReduceSum', [dOut, e.ints([0])], [weight.shape[0]], { keepdims: 0 })),
      };
    },

    activation(kind: Activation, x) {
      if (kind === 'relu') return held(e.op('Relu', [x], x.shape));
      const half = e.op('Mul', [x, e.scalar(0.5)], x.shape);
      const th = geluTanh(x, e.op('Mul', [x, x], x.shape));
      return held(e.op('Mul', [half, e.op('Add', [th, e.scalar(1)], x.shape)], x.shape));
    },

    activationBackward(kind: Activation, x, dOut) {
      // relu: f'(x) = [x > 0]; gelu: 0.5 ((1 + th) + x (1 - th^2) (sqrt(2/pi) + 3 sqrt(2/pi) 0.044715 x^2)).
      if (kind === 'relu') {
        const positive = e.op('Greater', [x, e.scalar(0)], x.shape, undefined, 'bool');
        return held(e.op('Where', [positive, dOut, e.scalar(0)], x.shape));
      }
      const s = x.shape;
      const x2 = e.op('Mul', [x, x], s);
      const th = geluTanh(x, x2);
      const inner = e.op(
        'Add',
        [e.op('Mul', [x2, e.scalar(3 * SQRT_2_OVER_PI * GELU_CUBIC)], s), e.scalar(SQRT_2_OVER_PI)],
        s,
      );
      const slope = e.op('Sub', [e.scalar(1), e.op('Mul', [th, th], s)], s);
      const derivative = e.op(
        'Add',
        [e.op('Add', [th, e.scalar(1)], s), e.op('Mul', [e.op('Mul', [x, slope], s), inner], s)],
        s,
      );
      return held(e.op('Mul', [derivative, e.op('Mul', [dOut, e.scalar(0.5)], s)], s));
    },

    concatChannels: (a, b) =>
      held(e.op('Concat', [a, b], [a.shape[0], a.shape[1] + b.shape[1], ...a.shape.slice(2)], { axis: 1 })),

    adamUpdate(param, grad, m, v, c) {
      // src/equations/adam.ts in float32; lr / (1 - b1^k) multiplied in float64 and rounded once.
      const s = param.shape;
      const mNext = e.op('Add', [e.op('Mul', [m, input(c.beta1)], s), e.op('Mul', [grad, input(1 - c.beta1)], s)], s);
      const squared = e.op('Mul', [grad, grad], s);
      const vNext = e.op(
        'Add',
        [e.op('Mul', [v, input(c.beta2)], s), e.op('Mul', [squared, input(1 - c.beta2)], s)],
        s,
      );
      const denominator = e.op(
        'Add',
        [e.op('Sqrt', [e.op('Mul', [vNext, input(c.vCorrection)], s)], s), input(c.epsilon)],
        s,
      );
      const step = e.op('Div', [e.op('Mul', [mNext, input(c.learningRate * c.mCorrection)], s), denominator], s);
      return { param: held(e.op('Sub', [param, step], s)), m: held(mNext), v: held(vNext) };
    },

    async sumOfSquares(x) {
      const sum = e.op('ReduceSumSquare', [x], [], { keepdims: 0 });
      return (await e.read(sum)).data[0] as number;
    },
  };
}
