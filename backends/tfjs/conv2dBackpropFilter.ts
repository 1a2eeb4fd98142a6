import type { Conv2DBackpropFilterAttrs, KernelConfig, Tensor4D } from '@tensorflow/tfjs';
import type { TF } from './types.js';

/**
 * The gradient of conv2d with respect to its filter, from kernels the wasm engine has (TensorFlow.js 4.22's
 * wasm engine has no Conv2DBackpropFilter kernel, so conv nets cannot train on it otherwise).
 *
 *   dW[i, j, c, k] = sum_{n, p, q} xPad[n, p sh + i, q sw + j, c] dy[n, p, q, k]
 *
 * is itself a convolution: with the input channels c as the batch, the batch n as the channels, and dy as
 * the filter, sliding over xPad with dilation (sh, sw) and stride 1:
 *
 *   out[c, i, j, k] = sum_{p, q, n} X'[c, i + p sh, j + q sw, n] F'[p, q, n, k],
 *   X' = transpose(xPad, [3, 1, 2, 0]), F' = transpose(dy, [1, 2, 0, 3]),
 *
 * whose first (fh, fw) rows and columns, transposed back to [fh, fw, C_in, C_out], are dW. The padding is
 * the forward convolution's (computeConv2DInfo), so 'same', 'valid' and explicit padding all work. The
 * wasm engine's 3-D filter-gradient kernel is not used: it is wrong for strides above 1.
 */
export function conv2dBackpropFilterFromConvolution(
  tf: TF,
  x: Tensor4D,
  dy: Tensor4D,
  attrs: Conv2DBackpropFilterAttrs,
): Tensor4D {
  if (attrs.dataFormat !== 'NHWC')
    throw new Error(`Conv2DBackpropFilter on the wasm engine supports dataFormat NHWC only, got ${attrs.dataFormat}`);
  const [fh, fw] = attrs.filterShape;
  const info = tf.backend_util.computeConv2DInfo(
    x.shape,
    attrs.filterShape,
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
  );
  const { top, bottom, left, right } = info.padInfo;
  return tf.tidy(() => {
    const padded = tf.pad(x, [
      [0, 0],
      [top, bottom],
      [left, right],
      [0, 0],
    ]);
    const xt = tf.transpose(padded, [3, 1, 2, 0]) as Tensor4D;
    const ft = tf.transpose(dy, [1, 2, 0, 3]) as Tensor4D;
    const full = tf.conv2d(xt, ft, 1, 'valid', 'NHWC', [info.strideHeight, info.strideWidth]);
    const cropped = tf.slice(full, [0, 0, 0, 0], [-1, fh, fw, -1]);
    return tf.transpose(cropped, [1, 2, 0, 3]) as Tensor4D;
  });
}

/** Registers conv2dBackpropFilterFromConvolution as the wasm engine's Conv2DBackpropFilter kernel, once. */
export function registerWasmConv2dBackpropFilter(tf: TF): void {
  if (tf.getKernel('Conv2DBackpropFilter', 'wasm')) return;
  const config: KernelConfig = {
    kernelName: 'Conv2DBackpropFilter',
    backendName: 'wasm',
    kernelFunc: ({ inputs, attrs }) => {
      const { x, dy } = inputs;
      if (!(x instanceof tf.Tensor) || !(dy instanceof tf.Tensor))
        throw new Error('Conv2DBackpropFilter on the wasm engine expects tensors x and dy');
      return conv2dBackpropFilterFromConvolution(
        tf,
        x as Tensor4D,
        dy as Tensor4D,
        attrs as unknown as Conv2DBackpropFilterAttrs,
      );
    },
  };
  tf.registerKernel(config);
}
