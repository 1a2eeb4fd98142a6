import type { TensorKernels } from '../contract/kernels.js';
import type { Activation, LayerGradients, TrainingKernels } from '../contract/training.js';
import { embeddingFrequencies } from '../equations/embedding.js';

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
    if (!v.needsGrad) return;
    this.own(g);
    const previous = this.grads.get(v);
    if (previous === undefined) {
      this.grads.set(v, g);
      return;
    }
    const ones = new Float64Array(v.shape[0]).fill(1);
    this.grads.set(v, this.own(await this.k.linear([{ x: previous, coef: ones }, { x: g, coef: ones }])));
  }

  /** out[n, ...] = values[n]: e.g. the timestep t / T broadcast as an image channel. */
  async fill(shape: readonly number[], values: Float64Array): Promise<Value<H>> {
    return { h: this.own(await this.k.fill(shape, values)), shape, needsGrad: false };
  }

  /** The sinusoidal embedding of t (src/equations/embedding.ts), [N, dim]. */
  async timestepEmbedding(t: Float64Array, dim: number, maxPeriod: number): Promise<Value<H>> {
    return { h: this.own(await this.k.sinusoidalEmbedding(t, embeddingFrequencies(dim, maxPeriod), dim)), shape: [t.length, dim], needsGrad: false };
  }

  async conv2d(x: Value<H>, weight: Value<H>, bias: Value<H>, padding: number): Promise<Value<H>> {
    const [n, , height, width] = x.shape;
    const size = weight.shape[2];
    const shape = [n, weight.shape[0], height + 2 * padding - size + 1, width + 2 * padding - size + 1];
    return this.result(await this.tk.conv2d(x.h, weight.h, bias.h, padding), shape, [x, weight, bias], async (dy) => this.accumulateLayer(x, weight, bias, await this.tk.conv2dBackward(x.h, weight.h, dy, padding)));
  }

  /** A layer's gradients reach its weight, its bias and, where needed, its input. */
  private async accumulateLayer(x: Value<H>, weight: Value<H>, bias: Value<H>, g: LayerGradients<H>): Promise<void> {
    await this.accumulate(weight, g.dWeight);
    await this.accumulate(bias, g.dBias);
    if (x.needsGrad) await this.accumulate(x, g.dx);
    else this.k.dispose(g.dx);
  }

  async dense(x: Value<H>, weight: Value<H>, bias: Value<H>): Promise<Value<H>> {
    return this.result(await this.tk.dense(x.h, weight.h, bias.h), [x.shape[0], weight.shape[0]], [x, weight, bias], async (dy) => this.accumulateLayer(x, weight, bias, await this.tk.denseBackward(x.h, weight.h, dy)));
  }

  async activation(kind: Activation, x: Value<H>): Promise<Value<H>> {
    return this.result(await this.tk.activation(kind, x.h), x.shape, [x], async (dy) => this.accumulate(x, await this.tk.activationBackward(kind, x.h, dy)));
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
