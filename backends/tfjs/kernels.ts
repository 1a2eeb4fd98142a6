import type { Rank, Tensor as TfTensor } from '@tensorflow/tfjs';
import type { ScaledTerm, TensorKernels } from '../../src/contract/kernels.js';
import { philox4x32 } from '../../src/random/philox.js';
import type { Tensor } from '../../src/tensor.js';
import { activate } from './engines.js';
import { tfjsTrainingKernels } from './training.js';
import type { LoadedEngine } from './types.js';

/** Float64 values rounded once to float32 (the backend's one cast of a coefficient or an input). */
const toFloat32 = (values: ArrayLike<number>): Float32Array => Float32Array.from(values);

/**
 * tf.randomNormal takes one seed and treats 0 as "no seed" (Math.random). (seed, stream) is mixed into a
 * nonzero integer below 2^53 with one Philox block, so every stream of every seed gets its own sequence.
 */
function engineSeed(seed: number, stream: number): number {
  const words = new Uint32Array(4);
  philox4x32(stream >>> 0, 0x7466_6a73 /* "tfjs" */, 0, 0, seed >>> 0, Math.floor(seed / 2 ** 32) >>> 0, words);
  return (words[0] >>> 11) * 2 ** 32 + words[1] + 1;
}

/**
 * Tensor kernels on TensorFlow.js ops, in float32 (the tfjs engines compute in float32). Coefficients
 * arrive as float64 from the float64 schedule tables (src/schedule) and are rounded once here; see README.md
 * for why a float32 backend must not compute alpha-bar itself.
 */
export function tfjsKernels({ tf, variant, engine, facts }: LoadedEngine): TensorKernels<TfTensor, true> {
  /** Runs fn on this variant's engine, disposing every intermediate tensor. */
  const run = <R extends TfTensor | TfTensor[]>(fn: () => R): R => {
    activate(tf, engine);
    return tf.tidy(fn);
  };
  /**
   * values[n] repeated over the rest of the shape, built on the host: one
   * upload, where tf.broadcastTo tiles slowly (1 ms for 8000 values on wasm).
   */
  const filled = (values: ArrayLike<number>, shape: readonly number[]) => {
    const out = new Float32Array(shape.reduce((a, b) => a * b, 1));
    const m = out.length / values.length;
    for (let n = 0; n < values.length; n++) out.fill(values[n], n * m, (n + 1) * m);
    return tf.tensor(out, [...shape], 'float32');
  };
  /**
   * Per-batch coefficients shaped to multiply a tensor of the given shape: a column [N, 1, ..., 1] that
   * broadcasts, except on the cpu engine, whose broadcasting binary ops index every element generically
   * (6x slower than same-shape ops), so there the column is expanded on the host.
   */
  const perBatch = (values: ArrayLike<number>, shape: readonly number[]) =>
    engine === 'cpu'
      ? filled(values, shape)
      : tf.tensor(toFloat32(values), [values.length, ...new Array<number>(shape.length - 1).fill(1)], 'float32');

  return {
    name: `tfjs:${variant}`,
    precision: 'float32',
    metadata: { ...facts, noise: 'tf.randomNormal (seedrandom alea), seeded from (seed, stream)' },
    training: tfjsTrainingKernels(tf, engine, run),

    upload: (t: Tensor) => run(() => tf.tensor(toFloat32(t.data), [...t.shape], 'float32')),
    download(h) {
      activate(tf, engine);
      // A copy: the cpu engine hands out its own storage, which later kernels would overwrite.
      return { shape: [...h.shape], data: Float32Array.from(h.dataSync() as Float32Array) };
    },
    dispose: (h) => h.dispose(),
    liveTensorCount: () => tf.memory().numTensors,

    linear(terms: readonly ScaledTerm<TfTensor>[], bias?: Float64Array) {
      if (terms.length === 0) throw new Error('linear needs at least one term');
      const shape = terms[0].x.shape;
      // Summed in the reference's order: bias, then each term.
      return run(() => {
        let sum: TfTensor | undefined = bias ? filled(bias, shape) : undefined;
        for (const { x, coef } of terms) {
          const product = tf.mul(x, perBatch(coef, shape));
          sum = sum ? tf.add(sum, product) : product;
        }
        return sum!;
      });
    },

    fill: (shape, values) => run(() => filled(values, shape)),
    clip: (x, lo, hi) => run(() => tf.clipByValue(x, lo, hi)),
    exp: (x, scale) => run(() => tf.exp(scale === 1 ? x : tf.mul(x, scale))),
    multiply: (a, b) => run(() => tf.mul(a, b)),
    splitChannels: (x, c) => run(() => tf.split(x, [c, (x.shape[1] as number) - c], 1) as [TfTensor, TfTensor]),

    meanSquaredErrorPerSample(a, b) {
      const perSample = run(() => tf.mean(tf.reshape(tf.squaredDifference(a, b), [a.shape[0], -1]), 1));
      try {
        return Float64Array.from(perSample.dataSync());
      } finally {
        perSample.dispose();
      }
    },

    sinusoidalEmbedding(t, frequencies, dim) {
      const half = frequencies.length;
      return run(() => {
        const args = tf.mul(
          tf.tensor(toFloat32(t), [t.length, 1], 'float32'),
          tf.tensor(toFloat32(frequencies), [1, half], 'float32'),
        );
        const parts = [tf.cos(args), tf.sin(args)];
        if (dim > 2 * half) parts.push(tf.zeros([t.length, dim - 2 * half]));
        return tf.concat(parts, 1);
      });
    },

    randomNormal: (shape, seed, stream) =>
      run(() => tf.randomNormal<Rank>([...shape], 0, 1, 'float32', engineSeed(seed, stream))),
  };
}
