import type { Activation, TrainingKernels } from '../../src/contract/training.js';
import { ortArchitectureKernels } from './architecture.js';
import { ortConvolution } from './convolution.js';
import type { Deferred, DeferredEngine } from './deferred.js';

const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);
const GELU_CUBIC = 0.044715;

/**
 * Training kernels as ONNX operators on the DeferredEngine (deferred.ts), float32; the convolutions and their
 * gradients in the forms that run fast on ONNX Runtime's CPU kernels (convolution.ts), and the layers of U-Nets,
 * attention and DiT (architecture.ts).
 */
export function ortTrainingKernels(e: DeferredEngine): TrainingKernels<Deferred> {
  const held = (d: Deferred) => e.hold(d);
  const input = (value: number) => e.input(Float32Array.of(value), []);
  const convolution = ortConvolution(e);

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
    conv2d: (x, weight, bias, padding) => held(convolution.convolve(x, weight, bias, padding, 1)),
    conv2dBackward(x, weight, dOut, padding) {
      const { dx, dWeight, dBias } = convolution.convolveBackward(x, weight, dOut, padding, 1);
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

    architecture: ortArchitectureKernels(e, convolution),

    async sumOfSquares(x) {
      const sum = e.op('ReduceSumSquare', [x], [], { keepdims: 0 });
      return (await e.read(sum)).data[0] as number;
    },
  };
}
