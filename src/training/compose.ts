import type { DeviceDenoiser, Timesteps } from '../contract/backend.js';
import type { TensorKernels } from '../contract/kernels.js';
import type {
  Trainer,
  TrainerState,
  TrainingBackend,
  TrainingKernels,
  TrainOptions,
  Weights,
} from '../contract/training.js';
import { adamCoefficients } from '../equations/adam.js';
import { clipScale } from '../equations/clipping.js';
import { emaCoefficients } from '../equations/ema.js';
import { closedFormCoefficients } from '../equations/forward.js';
import { lossSimpleGradientScale } from '../equations/loss.js';
import { timestepFromUniform } from '../equations/timesteps.js';
import { Graph, type Value } from '../models/graph.js';
import { runNetwork } from '../models/network.js';
import { architectureOf, type ModelSpec } from '../models/spec.js';
import { disposeAll, normalNoise, scoped } from '../pipeline/scope.js';
import { checkBatch } from '../pipeline/validate.js';
import { uniformValues } from '../random/uniform.js';
import { noiseLevel, type ScheduleTables } from '../schedule/tables.js';
import { sizeOf, type Tensor, tensor } from '../tensor.js';
import {
  checkAdamArgs,
  checkDenoiser,
  checkDenoiserInput,
  checkItems,
  checkLossArgs,
  checkSampleTimestepsArgs,
  checkTrainerStart,
  nextStep,
} from './arguments.js';
import { checkLabels, droppedLabels } from './labels.js';

/**
 * Builds the training half of a backend from its kernels: the networks of src/models, L_simple and its
 * gradient, Adam, clipping and EMA, each equation taken from src/equations. Every kernel call is awaited, so
 * kernels that return Promises plug in (src/contract/kernels.ts).
 */
export function composeTraining<H>(k: TensorKernels<H>, tk: TrainingKernels<H>): TrainingBackend {
  /**
   * L_simple at (x0, t, noise) and, on the graph, the gradient of every parameter; the handles returned are the
   * caller's. The per-sample loss is read back last, once the network's intermediates are released, so a backend
   * whose kernels are deferred until a read (backends/ort) computes the forward pass, the loss and the backward pass
   * as one graph, without handing the intermediates back.
   */
  async function lossGradient(
    g: Graph<H>,
    model: ModelSpec,
    params: ReadonlyMap<string, H>,
    s: ScheduleTables,
    x0: H,
    noise: H,
    shape: readonly number[],
    t: Int32Array,
    labels?: Int32Array,
  ) {
    const c = Array.from(t, (ti) => closedFormCoefficients(noiseLevel(s, ti)));
    const xt = await k.linear([
      { x: x0, coef: Float64Array.from(c, (ci) => ci.signal) },
      { x: noise, coef: Float64Array.from(c, (ci) => ci.noise) },
    ]);
    let out: Value<H>;
    let grads: Map<string, H>;
    try {
      out = await runNetwork(g, model, params, xt, shape, t, s.T, labels);
      const n = shape[0];
      const scale = lossSimpleGradientScale(n, sizeOf(out.shape.slice(1)));
      const dOut = await k.linear([
        { x: out.h, coef: new Float64Array(n).fill(scale) },
        { x: noise, coef: new Float64Array(n).fill(-scale) },
      ]);
      try {
        grads = await g.backward(out, dOut);
      } finally {
        k.dispose(dOut);
      }
      g.keep(out.h);
      g.dispose();
    } finally {
      k.dispose(xt);
    }
    try {
      return { perSample: await k.meanSquaredErrorPerSample(noise, out.h), grads };
    } catch (e) {
      disposeAll(k, grads.values());
      throw e;
    } finally {
      k.dispose(out.h);
    }
  }

  const meanOf = (x: Float64Array) => x.reduce((a, b) => a + b, 0) / x.length;

  /** `fixed`: the weights stay as they are while uploaded (a denoiser's), so kernels may bake them in (uploadFixed). */
  async function uploadWeights(w: Weights, fixed = false): Promise<Map<string, H>> {
    // A copy: adamUpdate may update handles in place, and on a host backend a handle may be the caller's array.
    const handles = new Map<string, H>();
    const upload = (fixed && k.uploadFixed?.bind(k)) || k.upload.bind(k);
    for (const [name, t] of Object.entries(w)) handles.set(name, await upload(copy(t)));
    return handles;
  }
  async function downloadWeights(model: ModelSpec, handles: ReadonlyMap<string, H>): Promise<Weights> {
    const weights: Record<string, Tensor> = {};
    for (const p of architectureOf(model).parameters(model))
      weights[p.name] = copy(await k.download(handles.get(p.name)!));
    return weights;
  }
  const copy = (t: Tensor): Tensor => ({ shape: [...t.shape], data: Float64Array.from(t.data) });

  async function sampleTimesteps(n: number, T: number, seed: number, stream: number): Promise<Int32Array> {
    if (tk.randomTimesteps) return tk.randomTimesteps(n, T, seed, stream);
    return Int32Array.from(uniformValues(seed, stream, n), (u) => timestepFromUniform(u, T));
  }

  async function createTrainer(
    model: ModelSpec,
    s: ScheduleTables,
    state: TrainerState,
    options: TrainOptions,
  ): Promise<Trainer> {
    checkTrainerStart(model, state, options);
    let step = state.step;
    const params = await uploadWeights(state.params);
    const m = await uploadWeights(state.m);
    const v = await uploadWeights(state.v);
    const ema = options.emaDecay === undefined ? undefined : await uploadWeights(state.ema ?? state.params);
    const names = architectureOf(model)
      .parameters(model)
      .map((p) => p.name);
    // TensorKernels.linear takes one coefficient per row of dimension 0.
    const rows = new Map(
      architectureOf(model)
        .parameters(model)
        .map((p) => [p.name, p.shape[0]]),
    );
    const filled = (name: string, value: number) => new Float64Array(rows.get(name)!).fill(value);
    return {
      async step(x0, given) {
        const n = checkItems(model, x0, 'x0');
        const next = nextStep(step);
        const t = await sampleTimesteps(n, s.T, options.seed, 2 * next);
        const labels = given && droppedLabels(model, checkLabels(model, given, n), options, next);
        const g = new Graph(k, tk, true);
        const x0h = await k.upload(x0);
        const noise = await normalNoise(k, x0.shape, options.seed, 2 * next + 1);
        try {
          const { perSample, grads } = await lossGradient(g, model, params, s, x0h, noise, x0.shape, t, labels);
          let squares = 0;
          for (const name of names) squares += await tk.sumOfSquares(grads.get(name)!);
          const gradNorm = Math.sqrt(squares);
          const scale = options.clipGradNorm === undefined ? 1 : clipScale(gradNorm, options.clipGradNorm);
          const c = adamCoefficients(options.adam, next);
          for (const name of names) {
            let grad: H = grads.get(name)!;
            if (scale !== 1) {
              const scaled = await k.linear([{ x: grad, coef: filled(name, scale) }]);
              k.dispose(grad);
              grad = scaled;
            }
            const updated = await tk.adamUpdate(params.get(name)!, grad, m.get(name)!, v.get(name)!, c);
            replace(params, name, updated.param);
            replace(m, name, updated.m);
            replace(v, name, updated.v);
            k.dispose(grad);
            if (ema) {
              const e = emaCoefficients(options.emaDecay!, next);
              replace(
                ema,
                name,
                await k.linear([
                  { x: ema.get(name)!, coef: filled(name, e.ema) },
                  { x: updated.param, coef: filled(name, e.param) },
                ]),
              );
            }
          }
          step = next;
          return { step, loss: meanOf(perSample), t, labels, noise: copy(await k.download(noise)), gradNorm };
        } finally {
          k.dispose(x0h);
          k.dispose(noise);
          g.dispose();
        }
      },
      async state() {
        return {
          step,
          params: await downloadWeights(model, params),
          m: await downloadWeights(model, m),
          v: await downloadWeights(model, v),
          ema: ema ? await downloadWeights(model, ema) : undefined,
        };
      },
      dispose() {
        for (const map of [params, m, v, ema ?? new Map<string, H>()]) disposeAll(k, map.values());
      },
    };

    function replace(map: Map<string, H>, name: string, h: H): void {
      const old = map.get(name)!;
      if (old !== h) k.dispose(old);
      map.set(name, h);
    }
  }

  /** The model with its weights uploaded; `fixed` for one that runs many times (a sampler's), not once (predict). */
  async function denoiser(model: ModelSpec, weights: Weights, T: number, labels?: Int32Array, fixed = true) {
    checkDenoiser(model, weights, T);
    const params = await uploadWeights(weights, fixed);
    /** The network's output at x (a handle of these kernels), a handle the caller owns. */
    const run = async (xh: H, shape: readonly number[], t: Timesteps) => {
      const { t: ts, labels: ys } = checkDenoiserInput(model, T, shape, t, labels);
      const g = new Graph(k, tk, false);
      try {
        return g.keep((await runNetwork(g, model, params, xh, shape, ts, T, ys)).h);
      } finally {
        g.dispose();
      }
    };
    const onHost = async (x: Tensor, t: Timesteps) => {
      checkBatch('x', x);
      const xh = await k.upload(x);
      try {
        const out = await run(xh, x.shape, t);
        try {
          return copy(await k.download(out));
        } finally {
          k.dispose(out);
        }
      } finally {
        k.dispose(xh);
      }
    };
    const onDevice: DeviceDenoiser<H> = { kernels: k, run };
    return { model: Object.assign(onHost, { onDevice }), dispose: () => disposeAll(k, params.values()) };
  }

  return {
    async predict({ model, weights, x, t, T, labels }) {
      const d = await denoiser(model, weights, T, labels, false);
      try {
        return await d.model(x, t as Int32Array);
      } finally {
        d.dispose();
      }
    },

    denoiser: (model, weights, T, labels) => denoiser(model, weights, T, labels),

    async lossAndGradients({ model, weights, schedule: s, x0, t, noise, labels }) {
      const { n, t: ts, labels: ys } = checkLossArgs({ model, weights, schedule: s, x0, t, noise, labels });
      const g = new Graph(k, tk, true);
      try {
        return await scoped(k, async (track) => {
          const params = await uploadWeights(weights);
          params.forEach(track);
          const x0h = track(await k.upload(x0));
          const noiseh = track(await k.upload(noise));
          const { perSample, grads } = await lossGradient(g, model, params, s, x0h, noiseh, x0.shape, ts, ys);
          grads.forEach(track);
          const gradients = await downloadWeights(model, grads);
          return { loss: meanOf(perSample), perSample: tensor([n], perSample), gradients };
        });
      } finally {
        g.dispose();
      }
    },

    async sampleTimesteps(n, T, seed, stream) {
      checkSampleTimestepsArgs(n, T, seed);
      return sampleTimesteps(n, T, seed, stream);
    },

    async adamStep({ param, grad, m, v, step, hyper }) {
      checkAdamArgs({ param, grad, m, v, step, hyper });
      return scoped(k, async (track) => {
        const handles: H[] = [];
        for (const x of [param, grad, m, v]) handles.push(track(await k.upload(copy(x))));
        const out = await tk.adamUpdate(handles[0], handles[1], handles[2], handles[3], adamCoefficients(hyper, step));
        // adamUpdate may update in place and hand back an input's handle: the scope frees each handle once.
        [out.param, out.m, out.v].forEach(track);
        const download = async (h: H) => copy(await k.download(h));
        return { param: await download(out.param), m: await download(out.m), v: await download(out.v) };
      });
    },

    createTrainer,

    async runGraph(fragment, inputs) {
      const g = new Graph(k, tk, false);
      const handles = new Map<string, Value<H>>();
      try {
        for (const [name, t] of Object.entries(inputs)) handles.set(name, g.leaf(await k.upload(copy(t)), t.shape));
        const outputs = await fragment(g, (name) => {
          const v = handles.get(name);
          if (!v) throw new Error(`runGraph: no input named ${name}`);
          return v;
        });
        const result: Record<string, Tensor> = {};
        for (const [name, v] of Object.entries(outputs)) result[name] = copy(await k.download(v.h));
        return result;
      } finally {
        g.dispose();
        disposeAll(
          k,
          [...handles.values()].map((v) => v.h),
        );
      }
    },
  };
}
