import type { LayerGradients } from '../../src/contract/training.js';
import type { Deferred, DeferredEngine } from './deferred.js';

/**
 * im2col as a convolution: the one-hot kernel [C K K, 1, K, K] whose output channel c K^2 + u K + v copies input
 * channel c shifted by (u, v) (group C), so patches[n, c K^2 + u K + v, i, j] = x[n, c, s i + u - p, s j + v - p].
 */
function oneHotKernel(channels: number, size: number): Float32Array {
  const k2 = size * size;
  const data = new Float32Array(channels * k2 * k2);
  for (let c = 0; c < channels; c++) for (let uv = 0; uv < k2; uv++) data[(c * k2 + uv) * k2 + uv] = 1;
  return data;
}

/** The output size of a convolution of a square kernel along one spatial axis. */
const outputSize = (input: number, size: number, padding: number, stride: number) =>
  Math.floor((input + 2 * padding - size) / stride) + 1;

/**
 * The convolution of the contract (TrainingKernels.conv2d at stride 1, ArchitectureKernels.stridedConv2d) and its
 * gradients as ONNX operators, in the forms that run fast on ONNX Runtime's CPU kernels: at stride 1 the input
 * gradient is a Conv of dOut with the spatially flipped, transposed weights (at a larger stride, the ConvTranspose
 * of dOut, the adjoint of the strided Conv); the weight gradient is im2col (a grouped Conv with a fixed one-hot
 * kernel), one batched MatMul with dOut and a sum over the batch. The values returned are not held.
 */
export function ortConvolution(e: DeferredEngine) {
  /** dx of a stride-1 convolution: dOut convolved with w[o, c] flipped in both spatial axes, as [c, o]. */
  const inputGradientStride1 = (x: Deferred, weight: Deferred, dOut: Deferred, padding: number) => {
    const [n, channels, height, width] = x.shape;
    const [out, , k] = weight.shape;
    const transposed = e.op('Transpose', [weight], [channels, out, k, k], { perm: [1, 0, 2, 3] });
    const flipped = e.op(
      'Slice',
      [transposed, e.ints([-1, -1]), e.ints([-k - 1, -k - 1]), e.ints([2, 3]), e.ints([-1, -1])],
      [channels, out, k, k],
    );
    // Padding k - 1 - p restores H x W.
    const q = k - 1 - padding;
    if (q >= 0) return e.op('Conv', [dOut, flipped], x.shape, { pads: [q, q, q, q] });
    // Padding beyond k - 1: the full correlation, cropped by -q on every side.
    const full = e.op('Conv', [dOut, flipped], [n, channels, height - 2 * q, width - 2 * q]);
    return e.op('Slice', [full, e.ints([-q, -q]), e.ints([height - q, width - q]), e.ints([2, 3])], x.shape);
  };

  /** dx of a strided convolution: ConvTranspose of dOut, its output padding the rows the stride skipped at the end. */
  const inputGradientStrided = (x: Deferred, weight: Deferred, dOut: Deferred, padding: number, stride: number) => {
    const [, , height, width] = x.shape;
    const [, , k] = weight.shape;
    const [, , outHeight, outWidth] = dOut.shape;
    const extra = (input: number, output: number) => input + 2 * padding - k - (output - 1) * stride;
    return e.op('ConvTranspose', [dOut, weight], x.shape, {
      strides: [stride, stride],
      pads: [padding, padding, padding, padding],
      output_padding: [extra(height, outHeight), extra(width, outWidth)],
    });
  };

  return {
    convolve(x: Deferred, weight: Deferred, bias: Deferred, padding: number, stride: number): Deferred {
      const [n, , height, width] = x.shape;
      const [out, , k] = weight.shape;
      const shape = [n, out, outputSize(height, k, padding, stride), outputSize(width, k, padding, stride)];
      return e.op('Conv', [x, weight, bias], shape, {
        pads: [padding, padding, padding, padding],
        ...(stride === 1 ? {} : { strides: [stride, stride] }),
      });
    },

    convolveBackward(
      x: Deferred,
      weight: Deferred,
      dOut: Deferred,
      padding: number,
      stride: number,
    ): LayerGradients<Deferred> {
      const [n, channels] = x.shape;
      const [out, , k] = weight.shape;
      const [, , outHeight, outWidth] = dOut.shape;
      const dx =
        stride === 1
          ? inputGradientStride1(x, weight, dOut, padding)
          : inputGradientStrided(x, weight, dOut, padding, stride);
      const k2 = channels * k * k;
      const pixels = outHeight * outWidth;
      const patches = e.op(
        'Conv',
        [x, e.constant(`onehot${channels}x${k}`, oneHotKernel(channels, k), [k2, 1, k, k])],
        [n, k2, outHeight, outWidth],
        {
          pads: [padding, padding, padding, padding],
          group: channels,
          ...(stride === 1 ? {} : { strides: [stride, stride] }),
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
      return { dx, dWeight, dBias };
    },
  };
}
