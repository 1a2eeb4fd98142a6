import type { ScaledTerm, TensorKernels } from '../../src/contract/kernels.js';
import type { Tensor } from '../../src/tensor.js';
import type { Deferred, DeferredEngine } from './deferred.js';
import { ortTrainingKernels } from './training.js';

/** [N, 1, ..., 1]: per-batch values shaped to broadcast against a tensor of the given shape. */
const columnShape = (shape: readonly number[]) => [shape[0], ...new Array<number>(shape.length - 1).fill(1)];

/**
 * Tensor kernels as ONNX operators, in float32, recorded on a DeferredEngine: values are computed when the
 * host reads them, by one cached graph (deferred.ts). Per-call numbers (coefficients, bounds) are graph
 * inputs, not constants, so a graph compiled once serves every step of a loop. Coefficients arrive as float64
 * from the float64 schedule tables (src/schedule) and are rounded once here, as in the tfjs backend.
 */
export function ortKernels(engine: DeferredEngine): TensorKernels<Deferred> {
  const e = engine;
  const input = (values: ArrayLike<number>, shape: readonly number[]) => e.input(Float32Array.from(values), shape);
  const scalar = (value: number) => input([value], []);
  const held = (d: Deferred) => e.hold(d);

  return {
    name: `ort:${e.runtime.variant}`,
    precision: 'float32',
    metadata: e.runtime.facts,
    training: ortTrainingKernels(e),

    upload: (t: Tensor) => held(input(t.data, t.shape)),
    uploadFixed: (t: Tensor) => held(e.fixedInput(Float32Array.from(t.data), t.shape)),
    async download(h) {
      const value = await e.read(h);
      return { shape: [...h.shape], data: Float32Array.from(value.data as Float32Array) };
    },
    dispose: (h) => e.dispose(h),
    liveTensorCount: () => e.heldCount(),

    linear(terms: readonly ScaledTerm<Deferred>[], bias?: Float64Array) {
      if (terms.length === 0) throw new Error('linear needs at least one term');
      const shape = terms[0].x.shape;
      const column = columnShape(shape);
      // Summed in the reference's order: bias, then each term.
      let sum: Deferred | undefined = bias ? input(bias, column) : undefined;
      for (const { x, coef } of terms) {
        const product = e.op('Mul', [x, input(coef, column)], shape);
        sum = sum ? e.op('Add', [sum, product], shape) : product;
      }
      return held(sum!);
    },

    // Broadcast against [1, ...]: the graph then holds no batch size, so a traced model exports for any batch.
    fill: (shape, values) =>
      held(e.op('Expand', [input(values, columnShape(shape)), e.ints([1, ...shape.slice(1)])], shape)),
    clip: (x, lo, hi) => held(e.op('Clip', [x, scalar(lo), scalar(hi)], x.shape)),
    exp: (x, scale) => held(e.op('Exp', [scale === 1 ? x : e.op('Mul', [x, scalar(scale)], x.shape)], x.shape)),
    multiply: (a, b) => held(e.op('Mul', [a, b], a.shape)),
    splitChannels(x, c) {
      const part = (from: number, to: number) =>
        held(
          e.op('Slice', [x, e.ints([from]), e.ints([to]), e.ints([1])], [x.shape[0], to - from, ...x.shape.slice(2)]),
        );
      return [part(0, c), part(c, x.shape[1])];
    },

    async meanSquaredErrorPerSample(a, b) {
      const n = a.shape[0];
      const difference = e.op('Sub', [a, b], a.shape);
      const rows = e.op(
        'Reshape',
        [e.op('Mul', [difference, difference], a.shape), e.ints([n, -1])],
        [n, a.shape.slice(1).reduce((p, q) => p * q, 1)],
      );
      const perSample = e.op('ReduceMean', [rows], [n], { axes: [1], keepdims: 0 });
      return Float64Array.from((await e.read(perSample)).data as Float32Array);
    },

    sinusoidalEmbedding(t, frequencies, dim) {
      const n = t.length;
      const half = frequencies.length;
      if (half === 0) return held(input(new Float32Array(n * dim), [n, dim]));
      const angles = e.op('Mul', [input(t, [n, 1]), input(frequencies, [1, half])], [n, half]);
      const parts = [e.op('Cos', [angles], [n, half]), e.op('Sin', [angles], [n, half])];
      if (dim > 2 * half) parts.push(input(new Float32Array(n * (dim - 2 * half)), [n, dim - 2 * half]));
      return held(e.op('Concat', parts, [n, dim], { axis: 1 }));
    },
  };
}
