import type { Tensor as TfTensor } from '@tensorflow/tfjs';
import type { ArchitectureKernels } from '../../src/contract/architecture-kernels.js';
import type { LayerGradients } from '../../src/contract/training.js';
import type { TF } from './types.js';

type Run = <R extends TfTensor | TfTensor[]>(fn: () => R) => R;
type Convolve = (x: TfTensor, weight: TfTensor, bias: TfTensor, padding: number, stride: number) => TfTensor;
type ConvolveBackward = (
  x: TfTensor,
  weight: TfTensor,
  dOut: TfTensor,
  padding: number,
  stride: number,
) => LayerGradients<TfTensor>;

/**
 * The layer kernels of U-Nets, attention and DiT on TensorFlow.js ops, in float32, each the formula of its
 * src/equations function written in tensor ops; `run` disposes every intermediate (see training.ts).
 */
export function tfjsArchitectureKernels(
  tf: TF,
  run: Run,
  convolve: Convolve,
  convolveBackward: ConvolveBackward,
): ArchitectureKernels<TfTensor, true> {
  /** x as [rows, length] with its row means and 1 / sqrt(var + eps) (src/equations/normalization.ts). */
  const standardise = (x: TfTensor, rows: number, epsilon: number) => {
    const r = tf.reshape(x, [rows, -1]);
    const centred = tf.sub(r, tf.mean(r, 1, true));
    const inverseDeviation = tf.rsqrt(tf.add(tf.mean(tf.square(centred), 1, true), epsilon));
    return { y: tf.mul(centred, inverseDeviation), inverseDeviation };
  };
  const last = -1;
  return {
    reshape: (x, shape) => run(() => tf.reshape(x, [...shape])),
    transpose: (x, perm) => run(() => tf.transpose(x, [...perm])),
    batchMatMul: (a, b, transposeA, transposeB) => run(() => tf.matMul(a, b, transposeA, transposeB)),

    softmax: (x, scale) =>
      run(() => {
        const s = tf.mul(x, scale);
        const e = tf.exp(tf.sub(s, tf.max(s, last, true)));
        return tf.div(e, tf.sum(e, last, true));
      }),
    softmaxBackward: (y, dOut, scale) =>
      run(() => tf.mul(tf.mul(y, tf.sub(dOut, tf.sum(tf.mul(dOut, y), last, true))), scale)),

    normalize: (x, rows, epsilon) => run(() => tf.reshape(standardise(x, rows, epsilon).y, x.shape)),
    normalizeBackward: (x, rows, epsilon, dOut) =>
      run(() => {
        const { y, inverseDeviation } = standardise(x, rows, epsilon);
        const dy = tf.reshape(dOut, [rows, -1]);
        const inner = tf.sub(tf.sub(dy, tf.mean(dy, 1, true)), tf.mul(y, tf.mean(tf.mul(dy, y), 1, true)));
        return tf.reshape(tf.mul(inner, inverseDeviation), x.shape);
      }),

    broadcastTo: (x, shape) => run(() => tf.broadcastTo(x, [...shape])),
    sumTo: (x, shape) =>
      run(() => {
        const axes = shape.flatMap((d, i) => (d === 1 && x.shape[i] !== 1 ? [i] : []));
        return axes.length === 0 ? tf.clone(x) : tf.sum(x, axes, true);
      }),

    silu: (x) => run(() => tf.mul(x, tf.sigmoid(x))),
    siluBackward: (x, dOut) =>
      run(() => {
        const s = tf.sigmoid(x);
        return tf.mul(dOut, tf.mul(s, tf.add(tf.mul(x, tf.sub(1, s)), 1)));
      }),

    stridedConv2d: convolve,
    stridedConv2dBackward: convolveBackward,
  };
}
