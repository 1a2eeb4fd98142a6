import type { ArchitectureKernels } from '../contract/architecture-kernels.js';
import type { TensorKernels } from '../contract/kernels.js';
import type { Activation, LayerGradients, TrainingKernels } from '../contract/training.js';
import { embeddingFrequencies } from '../equations/embedding.js';
import { sizeOf, type Tensor } from '../tensor.js';

/**
 * A piece of a network written on the Graph (a layer of src/models/layers), run by TrainingBackend.runGraph on
 * named inputs; it returns the values to download.
 */
export type GraphFragment = <H>(g: Graph<H>, input: (name: string) => Value<H>) => Promise<Record<string, Value<H>>>;

/** A tensor in a network: its handle, its shape, and whether the loss gradient must reach it. */
export interface Value<H> {
  readonly h: H;
  readonly shape: readonly number[];
  readonly needsGrad: boolean;
  /** The parameter's name, for parameter leaves. */
  readonly parameter?: string;
}

/**
 * Runs a network on a backend's kernels and records, per operation, how its output gradient reaches its
 * inputs (reverse-mode differentiation over a DAG, so skip connections of a U-Net will fit). Every handle it
 * creates is disposed by dispose(); the ones a caller keeps are taken out with `keep`. Every kernel call is
 * awaited (kernels may return Promises, src/contract/kernels.ts), in the order a synchronous run would make them.
 */
export class Graph<H> {
  private readonly tape: { out: Value<H>; back: (dy: H) => Promise<void> }[] = [];
  private readonly grads = new Map<Value<H>, H>();
  private readonly owned = new Set<H>();

  constructor(
    private readonly k: TensorKernels<H>,
    private readonly tk: TrainingKernels<H>,
    /** false for inference: nothing is recorded. */
    private readonly differentiate: boolean,
  ) {}

  private own(h: H): H {
    this.owned.add(h);
    return h;
  }

  /** A leaf the caller owns (an input or a parameter). */
  leaf(h: H, shape: readonly number[], parameter?: string): Value<H> {
    return { h, shape, needsGrad: this.differentiate && parameter !== undefined, parameter };
  }

  private result(h: H, shape: readonly number[], inputs: Value<H>[], back: (dy: H) => Promise<void>): Value<H> {
    const out: Value<H> = { h: this.own(h), shape, needsGrad: inputs.some((v) => v.needsGrad) };
    if (out.needsGrad) this.tape.push({ out, back });
    return out;
  }

  private async accumulate(v: Value<H>, g: H): Promise<void> {
    // A constant (a bias of zeros, a one-hot table) takes no gradient: the one computed for it is freed.
    if (!v.needsGrad) return this.k.dispose(g);
    this.own(g);
    const previous = this.grads.get(v);
    if (previous === undefined) {
      this.grads.set(v, g);
      return;
    }
    const ones = new Float64Array(v.shape[0]).fill(1);
    this.grads.set(
      v,
      this.own(
        await this.k.linear([
          { x: previous, coef: ones },
          { x: g, coef: ones },
        ]),
      ),
    );
  }

  /** out[n, ...] = values[n]: e.g. the timestep t / T broadcast as an image channel. */
  async fill(shape: readonly number[], values: Float64Array): Promise<Value<H>> {
    return { h: this.own(await this.k.fill(shape, values)), shape, needsGrad: false };
  }

  /** The sinusoidal embedding of t (src/equations/embedding.ts), [N, dim]. */
  async timestepEmbedding(t: Float64Array, dim: number, maxPeriod: number): Promise<Value<H>> {
    return {
      h: this.own(await this.k.sinusoidalEmbedding(t, embeddingFrequencies(dim, maxPeriod), dim)),
      shape: [t.length, dim],
      needsGrad: false,
    };
  }

  async conv2d(x: Value<H>, weight: Value<H>, bias: Value<H>, padding: number): Promise<Value<H>> {
    const [n, , height, width] = x.shape;
    const size = weight.shape[2];
    const shape = [n, weight.shape[0], height + 2 * padding - size + 1, width + 2 * padding - size + 1];
    return this.result(await this.tk.conv2d(x.h, weight.h, bias.h, padding), shape, [x, weight, bias], async (dy) =>
      this.accumulateLayer(x, weight, bias, await this.tk.conv2dBackward(x.h, weight.h, dy, padding)),
    );
  }

  /** A layer's gradients reach its weight, its bias and, where needed, its input. */
  private async accumulateLayer(x: Value<H>, weight: Value<H>, bias: Value<H>, g: LayerGradients<H>): Promise<void> {
    await this.accumulate(weight, g.dWeight);
    await this.accumulate(bias, g.dBias);
    if (x.needsGrad) await this.accumulate(x, g.dx);
    else this.k.dispose(g.dx);
  }

  async dense(x: Value<H>, weight: Value<H>, bias: Value<H>): Promise<Value<H>> {
    return this.result(
      await this.tk.dense(x.h, weight.h, bias.h),
      [x.shape[0], weight.shape[0]],
      [x, weight, bias],
      async (dy) => this.accumulateLayer(x, weight, bias, await this.tk.denseBackward(x.h, weight.h, dy)),
    );
  }

  async activation(kind: Activation, x: Value<H>): Promise<Value<H>> {
    return this.result(await this.tk.activation(kind, x.h), x.shape, [x], async (dy) =>
      this.accumulate(x, await this.tk.activationBackward(kind, x.h, dy)),
    );
  }

  /** Concatenation along dimension 1. */
  async concat(a: Value<H>, b: Value<H>): Promise<Value<H>> {
    const shape = [a.shape[0], a.shape[1] + b.shape[1], ...a.shape.slice(2)];
    return this.result(await this.tk.concatChannels(a.h, b.h), shape, [a, b], async (dy) => {
      const [da, db] = await this.k.splitChannels(dy, a.shape[1]);
      if (a.needsGrad) await this.accumulate(a, da);
      else this.k.dispose(da);
      if (b.needsGrad) await this.accumulate(b, db);
      else this.k.dispose(db);
    });
  }

  /** The layer kernels of U-Nets, attention and DiT; an error for a backend without them. */
  private get ak(): ArchitectureKernels<H> {
    const kernels = this.tk.architecture;
    if (!kernels) throw new Error("this backend lacks the 'architectures' capability (TrainingKernels.architecture)");
    return kernels;
  }

  /** A host tensor as a constant of the network (position embeddings, one-hot labels): no gradient. */
  async constant(t: Tensor): Promise<Value<H>> {
    return { h: this.own(await this.k.upload(t)), shape: [...t.shape], needsGrad: false };
  }

  /** dy handed on to an input, or disposed when the input needs no gradient. */
  private async pass(x: Value<H>, dx: H): Promise<void> {
    if (x.needsGrad) await this.accumulate(x, dx);
    else this.k.dispose(dx);
  }

  async reshape(x: Value<H>, shape: readonly number[]): Promise<Value<H>> {
    const shown = (s: readonly number[]) => `[${s.join(', ')}]`;
    if (sizeOf(shape) !== sizeOf(x.shape)) throw new Error(`cannot reshape ${shown(x.shape)} to ${shown(shape)}`);
    return this.result(await this.ak.reshape(x.h, shape), shape, [x], async (dy) =>
      this.pass(x, await this.ak.reshape(dy, x.shape)),
    );
  }

  /** out's dimension d is x's dimension perm[d]. */
  async transpose(x: Value<H>, perm: readonly number[]): Promise<Value<H>> {
    const inverse = perm.map((_, d) => perm.indexOf(d));
    const shape = perm.map((d) => x.shape[d]);
    return this.result(await this.ak.transpose(x.h, perm), shape, [x], async (dy) =>
      this.pass(x, await this.ak.transpose(dy, inverse)),
    );
  }

  /** C = op(A) op(B) per batch item; the gradients are the usual products with dC (op the transpose where asked). */
  async matmul(a: Value<H>, b: Value<H>, transposeA = false, transposeB = false): Promise<Value<H>> {
    const m = transposeA ? a.shape[2] : a.shape[1];
    const n = transposeB ? b.shape[1] : b.shape[2];
    const shape = [a.shape[0], m, n];
    return this.result(await this.ak.batchMatMul(a.h, b.h, transposeA, transposeB), shape, [a, b], async (dy) => {
      const mm = (p: H, q: H, tp: boolean, tq: boolean) => this.ak.batchMatMul(p, q, tp, tq);
      // C = A B: dA = dC B^T, dB = A^T dC; C = A B^T: dA = dC B, dB = dC^T A;
      // C = A^T B: dA = B dC^T, dB = A dC; C = A^T B^T: dA = B^T dC^T, dB = dC^T A^T.
      if (a.needsGrad)
        await this.pass(a, await (transposeA ? mm(b.h, dy, transposeB, true) : mm(dy, b.h, false, !transposeB)));
      if (b.needsGrad)
        await this.pass(b, await (transposeB ? mm(dy, a.h, true, transposeA) : mm(a.h, dy, !transposeA, false)));
    });
  }

  /** Softmax of scale x over the last dimension. */
  async softmax(x: Value<H>, scale: number): Promise<Value<H>> {
    const y = await this.ak.softmax(x.h, scale);
    return this.result(y, x.shape, [x], async (dy) => this.pass(x, await this.ak.softmaxBackward(y, dy, scale)));
  }

  /** x as `rows` contiguous rows, each standardised to zero mean and unit variance. */
  async normalize(x: Value<H>, rows: number, epsilon: number): Promise<Value<H>> {
    return this.result(await this.ak.normalize(x.h, rows, epsilon), x.shape, [x], async (dy) =>
      this.pass(x, await this.ak.normalizeBackward(x.h, rows, epsilon, dy)),
    );
  }

  async broadcastTo(x: Value<H>, shape: readonly number[]): Promise<Value<H>> {
    return this.result(await this.ak.broadcastTo(x.h, shape), shape, [x], async (dy) =>
      this.pass(x, await this.ak.sumTo(dy, x.shape)),
    );
  }

  async silu(x: Value<H>): Promise<Value<H>> {
    return this.result(await this.ak.silu(x.h), x.shape, [x], async (dy) =>
      this.pass(x, await this.ak.siluBackward(x.h, dy)),
    );
  }

  /** Element-wise a + b (same shape). */
  async add(a: Value<H>, b: Value<H>): Promise<Value<H>> {
    const ones = new Float64Array(a.shape[0]).fill(1);
    const copy = async (dy: H) => this.k.linear([{ x: dy, coef: ones }]);
    return this.result(
      await this.k.linear([
        { x: a.h, coef: ones },
        { x: b.h, coef: ones },
      ]),
      a.shape,
      [a, b],
      async (dy) => {
        if (a.needsGrad) await this.accumulate(a, await copy(dy));
        if (b.needsGrad) await this.accumulate(b, await copy(dy));
      },
    );
  }

  /** Element-wise a b (same shape). */
  async multiply(a: Value<H>, b: Value<H>): Promise<Value<H>> {
    return this.result(await this.k.multiply(a.h, b.h), a.shape, [a, b], async (dy) => {
      if (a.needsGrad) await this.accumulate(a, await this.k.multiply(dy, b.h));
      if (b.needsGrad) await this.accumulate(b, await this.k.multiply(dy, a.h));
    });
  }

  /** c x for a constant c. */
  async scale(x: Value<H>, c: number): Promise<Value<H>> {
    const coef = new Float64Array(x.shape[0]).fill(c);
    return this.result(await this.k.linear([{ x: x.h, coef }]), x.shape, [x], async (dy) =>
      this.pass(x, await this.k.linear([{ x: dy, coef }])),
    );
  }

  /** conv2d at every stride-th output position (the downsampling convolution). */
  async stridedConv2d(
    x: Value<H>,
    weight: Value<H>,
    bias: Value<H>,
    padding: number,
    stride: number,
  ): Promise<Value<H>> {
    const [n, , height, width] = x.shape;
    const size = weight.shape[2];
    const out = (d: number) => Math.floor((d + 2 * padding - size) / stride) + 1;
    const shape = [n, weight.shape[0], out(height), out(width)];
    return this.result(
      await this.ak.stridedConv2d(x.h, weight.h, bias.h, padding, stride),
      shape,
      [x, weight, bias],
      async (dy) =>
        this.accumulateLayer(x, weight, bias, await this.ak.stridedConv2dBackward(x.h, weight.h, dy, padding, stride)),
    );
  }

  /** Propagates dL/d(output) back; returns dL/d(parameter) for every parameter leaf the output depends on. */
  async backward(output: Value<H>, dOutput: H): Promise<Map<string, H>> {
    this.grads.set(output, dOutput);
    for (let i = this.tape.length - 1; i >= 0; i--) {
      const { out, back } = this.tape[i];
      const dy = this.grads.get(out);
      if (dy !== undefined) await back(dy);
    }
    const result = new Map<string, H>();
    for (const [v, g] of this.grads) {
      if (v.parameter === undefined) continue;
      result.set(v.parameter, g);
      this.owned.delete(g);
    }
    return result;
  }

  /** Removes h from the handles dispose() frees: the caller now owns it. */
  keep(h: H): H {
    this.owned.delete(h);
    return h;
  }

  dispose(): void {
    for (const h of this.owned) this.k.dispose(h);
    this.owned.clear();
  }
}
