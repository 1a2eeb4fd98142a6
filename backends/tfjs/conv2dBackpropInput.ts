import type { Conv2DBackpropInputAttrs, KernelConfig, Tensor4D } from '@tensorflow/tfjs';
import type { TF } from './types.js';

/**
 * The gradient of conv2d with respect to its input, as one wasm conv2d (XNNPACK). TensorFlow.js 4.22's wasm
 * Conv2DBackpropInput is a plain loop: 420 ms for a 3x3 64-channel convolution over 8x32x32, where the
 * forward convolution takes 25 ms; this takes about as long as the forward one.
 *
 *   dx[n, r, s, c] = sum_{p, q, i, j, k} [r + top = p sh + i] [s + left = q sw + j] dy[n, p, q, k] W[i, j, c, k]
 *
 * With dy dilated by the strides (zeros between its rows and columns) and padded by (fh - 1 - top) above and
 * whatever makes the height in + fh - 1 below (likewise for columns), this is a stride-1 'valid' correlation
 * with the filter flipped in space and its channel axes swapped: W'[i', j', k, c] = W[fh - 1 - i', fw - 1 - j', c, k].
 * Negative padding (explicit padding wider than the filter) crops instead.
 */
function conv2dBackpropInputFromConvolution(
  tf: TF,
  dy: Tensor4D,
  filter: Tensor4D,
  attrs: Conv2DBackpropInputAttrs,
): Tensor4D {
  if (attrs.dataFormat !== 'NHWC')
    throw new Error(`Conv2DBackpropInput on the wasm engine supports dataFormat NHWC only, got ${attrs.dataFormat}`);
  const [n, inH, inW] = attrs.inputShape;
  const [fh, fw] = filter.shape;
  const info = tf.backend_util.computeConv2DInfo(
    attrs.inputShape,
    filter.shape,
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
  );
  const { top, bottom, left, right } = info.padInfo;
  const [sh, sw] = [info.strideHeight, info.strideWidth];
  const [outH, outW, k] = [dy.shape[1], dy.shape[2], dy.shape[3]];
  return tf.tidy(() => {
    let d: Tensor4D = dy;
    if (sh > 1 || sw > 1) {
      // Zeros between rows and columns: [N H, 1, W, 1, K] padded
      // to [N H, sh, W, sw, K], cropped to (out - 1) stride + 1.
      const spread = tf.pad(tf.reshape(dy, [n * outH, 1, outW, 1, k]), [
        [0, 0],
        [0, sh - 1],
        [0, 0],
        [0, sw - 1],
        [0, 0],
      ]);
      d = tf.slice(
        tf.reshape(spread, [n, outH * sh, outW * sw, k]),
        [0, 0, 0, 0],
        [n, (outH - 1) * sh + 1, (outW - 1) * sw + 1, k],
      ) as Tensor4D;
    }
    const unreachedH = inH + top + bottom - (outH - 1) * sh - fh;
    const unreachedW = inW + left + right - (outW - 1) * sw - fw;
    const edges = [fh - 1 - top, fh - 1 - bottom + unreachedH, fw - 1 - left, fw - 1 - right + unreachedW];
    const [cropTop, cropBottom, cropLeft, cropRight] = edges.map((e) => Math.max(0, -e));
    if (cropTop + cropBottom + cropLeft + cropRight > 0) {
      d = tf.slice(
        d,
        [0, cropTop, cropLeft, 0],
        [n, d.shape[1] - cropTop - cropBottom, d.shape[2] - cropLeft - cropRight, k],
      );
    }
    const [padTop, padBottom, padLeft, padRight] = edges.map((e) => Math.max(0, e));
    const padded = tf.pad(d, [
      [0, 0],
      [padTop, padBottom],
      [padLeft, padRight],
      [0, 0],
    ]);
    const flipped = tf.transpose(tf.reverse(filter, [0, 1]), [0, 1, 3, 2]) as Tensor4D;
    return tf.conv2d(padded, flipped, 1, 'valid');
  });
}

/** Registers conv2dBackpropInputFromConvolution as the wasm engine's Conv2DBackpropInput kernel, once. */
export function registerWasmConv2dBackpropInput(tf: TF): void {
  const existing = tf.getKernel('Conv2DBackpropInput', 'wasm') as
    | (KernelConfig & { fromConvolution?: boolean })
    | undefined;
  if (existing?.fromConvolution) return;
  if (existing) tf.unregisterKernel('Conv2DBackpropInput', 'wasm');
  tf.registerKernel({
    kernelName: 'Conv2DBackpropInput',
    backendName: 'wasm',
    fromConvolution: true,
    kernelFunc: ({ inputs, attrs }) => {
      const { dy, filter } = inputs;
      if (!(dy instanceof tf.Tensor) || !(filter instanceof tf.Tensor))
        throw new Error('Conv2DBackpropInput on the wasm engine expects tensors dy and filter');
      return conv2dBackpropInputFromConvolution(
        tf,
        dy as Tensor4D,
        filter as Tensor4D,
        attrs as unknown as Conv2DBackpropInputAttrs,
      );
    },
  } as KernelConfig);
}
