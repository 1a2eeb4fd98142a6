import type { Tensor4D, Tensor as TfTensor } from '@tensorflow/tfjs';
import type { Activation, LayerGradients, TrainingKernels } from '../../src/contract/training.js';
import { tfjsArchitectureKernels } from './architecture.js';
import { conv2dBackpropFilterFromConvolution } from './conv2dBackpropFilter.js';
import type { TF } from './types.js';

const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);
const GELU_CUBIC = 0.044715;

/** NCHW (the contract's layout) to NHWC (the only layout every tfjs engine convolves in), and back. */
const NHWC = [0, 2, 3, 1];
const NCHW = [0, 3, 1, 2];
/** A weight [out, in, S, S] (torch's layout) as a tfjs filter [S, S, in, out], and back. */
const FILTER = [2, 3, 1, 0];
const WEIGHT = [3, 2, 0, 1];

/**
 * Training kernels on TensorFlow.js ops, in float32. `run` activates the variant's engine and runs its
 * function inside tf.tidy, so every intermediate is disposed and only the returned tensors survive.
 * The convolution gradients call the engine's Conv2DBackpropFilter and Conv2DBackpropInput kernels
 * directly (on wasm, the ones conv2dBackpropFilter.ts and conv2dBackpropInput.ts register), not through
 * tf.grad, which would run the forward convolution again. The cpu engine's own Conv2DBackpropFilter reads every
 * element through TensorBuffer.get: 61 s for the 64->64 layer of simple-conv on 8x32x32 (its forward conv2d
 * takes 0.8 s), so there the filter gradient is the same convolution the wasm engine's kernel runs (1.1 s);
 * the engine's kernel itself stays registered, as test/tfjs/wasmConvolution.spec.ts compares against it.
 */
export function tfjsTrainingKernels(
  tf: TF,
  engine: string,
  run: <R extends TfTensor | TfTensor[]>(fn: () => R) => R,
): TrainingKernels<TfTensor, true> {
  const convAttrs = (padding: number, stride: number) => ({
    strides: [stride, stride] as [number, number],
    pad: padding,
    dataFormat: 'NHWC' as const,
    dilations: [1, 1] as [number, number],
  });
  const filterGradient = (
    x: Tensor4D,
    dy: Tensor4D,
    filterShape: Tensor4D['shape'],
    padding: number,
    stride: number,
  ): TfTensor =>
    engine === 'cpu'
      ? conv2dBackpropFilterFromConvolution(tf, x, dy, { ...convAttrs(padding, stride), filterShape })
      : (tf
          .engine()
          .runKernel('Conv2DBackpropFilter', { x, dy }, { ...convAttrs(padding, stride), filterShape }) as TfTensor);

  const convolve = (x: TfTensor, weight: TfTensor, bias: TfTensor, padding: number, stride: number) =>
    run(() => {
      const y = tf.conv2d(tf.transpose(x, NHWC) as Tensor4D, tf.transpose(weight, FILTER) as Tensor4D, stride, padding);
      return tf.transpose(tf.add(y, bias), NCHW);
    });

  function convolveBackward(
    x: TfTensor,
    weight: TfTensor,
    dOut: TfTensor,
    padding: number,
    stride: number,
  ): LayerGradients<TfTensor> {
    const [dx, dWeight, dBias] = run(() => {
      const xh = tf.transpose(x, NHWC) as Tensor4D;
      const dy = tf.transpose(dOut, NHWC) as Tensor4D;
      const filter = tf.transpose(weight, FILTER) as Tensor4D;
      const dFilter = filterGradient(xh, dy, filter.shape, padding, stride);
      const dInput = tf
        .engine()
        .runKernel(
          'Conv2DBackpropInput',
          { dy, filter },
          { ...convAttrs(padding, stride), inputShape: xh.shape },
        ) as TfTensor;
      return [tf.transpose(dInput, NCHW), tf.transpose(dFilter, WEIGHT), tf.sum(dOut, [0, 2, 3])];
    });
    return { dx, dWeight, dBias };
  }

  /**
   * th = tanh(sqrt(2/pi) (x + 0.044715 x^3)) = tanh(x (sqrt(2/pi) + sqrt(2/pi) 0.044715 x^2)), the inner term of the
   * tanh-form GELU (src/equations/activation.ts), from x^2; the constants are multiplied in float64 and rounded once.
   * Fewer ops than the written form: each tfjs op costs tens of microseconds on the cpu engine whatever its size.
   */
  const geluTanh = (x: TfTensor, x2: TfTensor) =>
    tf.tanh(tf.mul(x, tf.add(tf.mul(x2, SQRT_2_OVER_PI * GELU_CUBIC), SQRT_2_OVER_PI)));

  return {
    conv2d: (x, weight, bias, padding) => convolve(x, weight, bias, padding, 1),
    conv2dBackward: (x, weight, dOut, padding) => convolveBackward(x, weight, dOut, padding, 1),
    architecture: tfjsArchitectureKernels(tf, run, convolve, convolveBackward),

    dense: (x, weight, bias) => run(() => tf.add(tf.matMul(x, weight, false, true), bias)),

    denseBackward(x, weight, dOut) {
      const [dx, dWeight, dBias] = run(() => [
        tf.matMul(dOut, weight),
        tf.matMul(dOut, x, true, false),
        tf.sum(dOut, 0),
      ]);
      return { dx, dWeight, dBias };
    },

    activation: (kind: Activation, x) =>
      run(() => (kind === 'relu' ? tf.relu(x) : tf.mul(tf.mul(x, 0.5), tf.add(geluTanh(x, tf.square(x)), 1)))),

    activationBackward: (kind: Activation, x, dOut) =>
      run(() => {
        // relu: f'(x) = [x > 0]; gelu: 0.5 ((1 + th) + x (1 - th^2) (sqrt(2/pi) + 3 sqrt(2/pi) 0.044715 x^2)).
        if (kind === 'relu') return tf.mul(dOut, tf.step(x));
        const x2 = tf.square(x);
        const th = geluTanh(x, x2);
        const inner = tf.add(tf.mul(x2, 3 * SQRT_2_OVER_PI * GELU_CUBIC), SQRT_2_OVER_PI);
        const derivative = tf.add(tf.add(th, 1), tf.mul(tf.mul(x, tf.sub(1, tf.square(th))), inner));
        return tf.mul(derivative, tf.mul(dOut, 0.5));
      }),

    concatChannels: (a, b) => run(() => tf.concat([a, b], 1)),

    adamUpdate(param, grad, m, v, c) {
      // src/equations/adam.ts, in float32; new tensors (tfjs tensors are immutable), the callers dispose the old ones.
      const [mNext, vNext, paramNext] = run(() => {
        const mi = tf.add(tf.mul(m, c.beta1), tf.mul(grad, 1 - c.beta1));
        const vi = tf.add(tf.mul(v, c.beta2), tf.mul(tf.square(grad), 1 - c.beta2));
        // lr m^ = (lr / (1 - b1^k)) m: the two host constants multiplied in float64, rounded once.
        const step = tf.div(
          tf.mul(mi, c.learningRate * c.mCorrection),
          tf.add(tf.sqrt(tf.mul(vi, c.vCorrection)), c.epsilon),
        );
        return [mi, vi, tf.sub(param, step)];
      });
      return { param: paramNext, m: mNext, v: vNext };
    },

    sumOfSquares(x) {
      const sum = run(() => tf.sum(tf.square(x)));
      try {
        return sum.dataSync()[0];
      } finally {
        sum.dispose();
      }
    },
  };
}
