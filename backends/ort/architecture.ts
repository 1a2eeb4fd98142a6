import type { ArchitectureKernels } from '../../src/contract/architecture-kernels.js';
import type { ortConvolution } from './convolution.js';
import type { Deferred, DeferredEngine } from './deferred.js';

/** The shape of an element-wise operation's result: numpy broadcasting, dimensions aligned from the last. */
function broadcastShape(a: readonly number[], b: readonly number[]): number[] {
  const [long, short] = a.length >= b.length ? [a, b] : [b, a];
  const offset = long.length - short.length;
  return long.map((d, i) => (i < offset ? d : Math.max(d, short[i - offset])));
}

/**
 * The layer kernels of U-Nets, attention and DiT as ONNX operators on the DeferredEngine, float32: each the formula
 * of its src/equations function written in operators, as the tfjs backend writes it in tensor ops, so the layers
 * trace into the one graph of a training or sampling step. Fixed numbers of a layer (a softmax's scale, a norm's
 * epsilon) are constants of the graph: they belong to the architecture, not to the call.
 */
export function ortArchitectureKernels(
  e: DeferredEngine,
  convolution: ReturnType<typeof ortConvolution>,
): ArchitectureKernels<Deferred, true> {
  const held = (d: Deferred) => e.hold(d);
  const mul = (a: Deferred, b: Deferred) => e.op('Mul', [a, b], broadcastShape(a.shape, b.shape));
  const sub = (a: Deferred, b: Deferred) => e.op('Sub', [a, b], broadcastShape(a.shape, b.shape));
  const reshape = (x: Deferred, shape: readonly number[]) => e.op('Reshape', [x, e.ints(shape)], shape);
  /** The sum over the last dimension, kept as a dimension of size 1. */
  const rowSum = (x: Deferred) => e.op('ReduceSum', [x, e.ints([-1])], [...x.shape.slice(0, -1), 1], { keepdims: 1 });
  /** The mean of each row of [rows, length], as [rows, 1]. */
  const rowMean = (x: Deferred) => e.op('ReduceMean', [x], [x.shape[0], 1], { axes: [1], keepdims: 1 });

  /** x as [rows, length] standardised, and 1 / sqrt(var + eps) per row (src/equations/normalization.ts). */
  const standardise = (x: Deferred, rows: number, epsilon: number) => {
    const r = reshape(x, [rows, x.shape.reduce((a, b) => a * b, 1) / rows]);
    const centred = sub(r, rowMean(r));
    const variance = rowMean(mul(centred, centred));
    const inverseDeviation = e.op(
      'Reciprocal',
      [e.op('Sqrt', [e.op('Add', [variance, e.scalar(epsilon)], variance.shape)], variance.shape)],
      variance.shape,
    );
    return { y: mul(centred, inverseDeviation), inverseDeviation };
  };

  /** The last two dimensions of [B, M, K] swapped. */
  const swapLast = (x: Deferred) => e.op('Transpose', [x], [x.shape[0], x.shape[2], x.shape[1]], { perm: [0, 2, 1] });

  return {
    reshape: (x, shape) => held(reshape(x, shape)),
    transpose: (x, perm) =>
      held(
        e.op(
          'Transpose',
          [x],
          perm.map((d) => x.shape[d]),
          { perm: [...perm] },
        ),
      ),
    batchMatMul(a, b, transposeA, transposeB) {
      const left = transposeA ? swapLast(a) : a;
      const right = transposeB ? swapLast(b) : b;
      return held(e.op('MatMul', [left, right], [a.shape[0], left.shape[1], right.shape[2]]));
    },

    softmax(x, scale) {
      // exp(s x - max(s x)) / sum exp(s x - max(s x)) over the last dimension (src/equations/softmax.ts).
      const s = mul(x, e.scalar(scale));
      const top = e.op('ReduceMax', [s], [...x.shape.slice(0, -1), 1], { axes: [-1], keepdims: 1 });
      const exponentials = e.op('Exp', [sub(s, top)], x.shape);
      return held(e.op('Div', [exponentials, rowSum(exponentials)], x.shape));
    },
    softmaxBackward: (y, dOut, scale) =>
      // s y (dOut - sum(dOut y)) per row.
      held(mul(mul(y, sub(dOut, rowSum(mul(dOut, y)))), e.scalar(scale))),

    normalize: (x, rows, epsilon) => held(reshape(standardise(x, rows, epsilon).y, x.shape)),
    normalizeBackward(x, rows, epsilon, dOut) {
      // (dy - mean(dy) - y mean(dy y)) / sqrt(var + eps) per row.
      const { y, inverseDeviation } = standardise(x, rows, epsilon);
      const dy = reshape(dOut, y.shape);
      const inner = sub(sub(dy, rowMean(dy)), mul(y, rowMean(mul(dy, y))));
      return held(reshape(mul(inner, inverseDeviation), x.shape));
    },

    broadcastTo: (x, shape) => held(e.op('Expand', [x, e.ints(shape)], shape)),
    sumTo(x, shape) {
      const axes = shape.flatMap((d, i) => (d === 1 && x.shape[i] !== 1 ? [i] : []));
      if (axes.length === 0) return held(e.op('Identity', [x], x.shape));
      return held(e.op('ReduceSum', [x, e.ints(axes)], shape, { keepdims: 1 }));
    },

    // x sigmoid(x), and dOut sigmoid(x) (1 + x (1 - sigmoid(x))) (src/equations/activation.ts).
    silu: (x) => held(mul(x, e.op('Sigmoid', [x], x.shape))),
    siluBackward(x, dOut) {
      const s = e.op('Sigmoid', [x], x.shape);
      const slope = e.op('Add', [mul(x, sub(e.scalar(1), s)), e.scalar(1)], x.shape);
      return held(mul(dOut, mul(s, slope)));
    },

    stridedConv2d: (x, weight, bias, padding, stride) => held(convolution.convolve(x, weight, bias, padding, stride)),
    stridedConv2dBackward(x, weight, dOut, padding, stride) {
      const { dx, dWeight, dBias } = convolution.convolveBackward(x, weight, dOut, padding, stride);
      return { dx: held(dx), dWeight: held(dWeight), dBias: held(dBias) };
    },
  };
}
