import { ALL_CAPABILITIES, type DiffusionBackend, type ReverseOptions } from '../contract/backend.js';
import type { ScaledTerm, TensorKernels } from '../contract/kernels.js';
import { requireInput } from '../errors.js';
import { oneMinusAlphaBarRatio } from '../equations/alphas.js';
import { ddimReverseCoefficients, ddimSigma, ddimStepCoefficients } from '../equations/ddim.js';
import { embeddingFrequencies } from '../equations/embedding.js';
import { closedFormCoefficients, forwardStepCoefficients } from '../equations/forward.js';
import { epsFromX0Coefficients, x0Coefficients } from '../equations/prediction.js';
import { fixedLargeVariance, learnedRangeLogVarianceCoefficients } from '../equations/variance.js';
import { checkSeed, gaussianTensor } from '../random/gaussian.js';
import type { ScheduleTables } from '../schedule/tables.js';
import { noiseLevel, scheduleTables } from '../schedule/tables.js';
import { parseScheduleSpec } from '../schedule/spec.js';
import { tensor, type Tensor } from '../tensor.js';
import { composeTraining } from '../training/compose.js';
import { checkBatch, checkLike, checkModelOutput, checkTimesteps, resolveOptions, type ResolvedOptions } from './validate.js';

/** Per-batch values f(t_n). */
function perBatch(t: Int32Array, f: (t: number) => number): Float64Array {
  return Float64Array.from(t, f);
}

interface Prediction<H> {
  predX0: H;
  /** The model's eps, or eps recomputed from the (clipped) x0 prediction. */
  eps: () => Promise<H>;
  mean: () => Promise<H>;
  logVariance: () => Promise<H>;
  variance: () => Promise<H>;
}

/**
 * Builds the full DiffusionBackend from a backend's tensor kernels. Every equation used here comes
 * from src/equations; this file only decides which coefficients combine which tensors. Tables are
 * always the float64 ones from src/schedule: a float32 backend rounds each coefficient once instead
 * of accumulating float32 error in alpha-bar's running product (7e-7 relative at T = 1000).
 * Every kernel call is awaited, so kernels of asynchronous engines plug in as well (see KernelResult).
 */
export function composeBackend<H>(k: TensorKernels<H>): DiffusionBackend {
  /** Runs fn with a tracker; every tracked handle is disposed when fn resolves or throws, except `keep`. */
  async function scoped<R>(fn: (track: (h: H) => H) => Promise<R>, keep?: (result: R) => H): Promise<R> {
    const handles = new Set<H>();
    try {
      const result = await fn((h) => {
        handles.add(h);
        return h;
      });
      if (keep) handles.delete(keep(result));
      return result;
    } finally {
      for (const h of handles) k.dispose(h);
    }
  }

  /** Like scoped, but the handle fn returns outlives the scope (the sampling loops' running x). */
  const scopedHandle = (fn: (track: (h: H) => H) => Promise<H>): Promise<H> => scoped(fn, (h) => h);

  const normal = async (shape: readonly number[], seed: number, stream: number): Promise<H> =>
    k.randomNormal ? k.randomNormal(shape, seed, stream) : k.upload(gaussianTensor(shape, seed, stream));

  const linear = async (terms: ScaledTerm<H>[], bias?: Float64Array): Promise<H> => k.linear(terms, bias);

  async function predict(track: (h: H) => H, s: ScheduleTables, xt: H, xtShape: readonly number[], t: Int32Array, output: H, o: ResolvedOptions): Promise<Prediction<H>> {
    let raw = output;
    let v: H | undefined;
    if (o.variance === 'learned_range') [raw, v] = (await k.splitChannels(output, xtShape[1])).map(track) as [H, H];
    let predX0 =
      o.prediction === 'x0'
        ? raw
        : track(await linear([{ x: xt, coef: perBatch(t, (ti) => x0Coefficients(o.prediction, noiseLevel(s, ti)).xt) }, { x: raw, coef: perBatch(t, (ti) => x0Coefficients(o.prediction, noiseLevel(s, ti)).out) }]));
    if (o.clip) predX0 = track(await k.clip(predX0, -1, 1));
    // Memoised as a Promise: computed once however many callers ask.
    let logVar: Promise<H> | undefined;
    const computeLogVariance = async (): Promise<H> => {
      if (o.variance === 'learned_range') {
        const c = perBatch(t, (ti) => learnedRangeLogVarianceCoefficients(Math.log(s.betas[ti]), s.posteriorLogVarianceClipped[ti]).scale);
        const offset = perBatch(t, (ti) => learnedRangeLogVarianceCoefficients(Math.log(s.betas[ti]), s.posteriorLogVarianceClipped[ti]).offset);
        return track(await linear([{ x: v!, coef: c }], offset));
      }
      if (o.variance === 'fixed_large') return track(await k.fill(xtShape, perBatch(t, (ti) => Math.log(fixedLargeVariance(s.betas, s.posteriorVariance, ti)))));
      return track(await k.fill(xtShape, perBatch(t, (ti) => s.posteriorLogVarianceClipped[ti])));
    };
    const logVariance = (): Promise<H> => (logVar ??= computeLogVariance());
    return {
      predX0,
      // For an unclipped eps prediction the model's eps is used as is: recomputing it from x0 is the same in exact arithmetic but cancels digits.
      eps: async () =>
        o.prediction === 'eps' && !o.clip
          ? raw
          : track(await linear([{ x: xt, coef: perBatch(t, (ti) => epsFromX0Coefficients(noiseLevel(s, ti)).xt) }, { x: predX0, coef: perBatch(t, (ti) => epsFromX0Coefficients(noiseLevel(s, ti)).x0) }])),
      mean: async () => track(await linear([{ x: predX0, coef: perBatch(t, (ti) => s.posteriorMeanCoefX0[ti]) }, { x: xt, coef: perBatch(t, (ti) => s.posteriorMeanCoefXt[ti]) }])),
      logVariance,
      variance: async () => {
        if (o.variance === 'learned_range') return track(await k.exp(await logVariance(), 1));
        if (o.variance === 'fixed_large') return track(await k.fill(xtShape, perBatch(t, (ti) => fixedLargeVariance(s.betas, s.posteriorVariance, ti))));
        return track(await k.fill(xtShape, perBatch(t, (ti) => s.posteriorVariance[ti])));
      },
    };
  }

  /** x_{t-1} = mean + [t > 1] exp(log sigma^2 / 2) z: no noise is added at t = 1 (Ho et al. 2020, Algorithm 2). */
  async function ancestralStep(track: (h: H) => H, p: Prediction<H>, t: Int32Array, noise: H): Promise<H> {
    const scaledNoise = track(await k.multiply(track(await k.exp(await p.logVariance(), 0.5)), noise));
    return track(await linear([{ x: await p.mean(), coef: perBatch(t, () => 1) }, { x: scaledNoise, coef: perBatch(t, (ti) => (ti > 1 ? 1 : 0)) }]));
  }

  function ddimCoefficients(s: ScheduleTables, t: Int32Array, tPrev: Int32Array, eta: number) {
    const sigma = Float64Array.from(t, (ti, n) => ddimSigma(eta, noiseLevel(s, ti), noiseLevel(s, tPrev[n]), oneMinusAlphaBarRatio(s.betas, tPrev[n], ti)));
    const c = Array.from(t, (_, n) => ddimStepCoefficients(noiseLevel(s, tPrev[n]), sigma[n]));
    return { sigma, x0: Float64Array.from(c, (ci) => ci.x0), eps: Float64Array.from(c, (ci) => ci.eps) };
  }

  async function ddimStep(track: (h: H) => H, p: Prediction<H>, s: ScheduleTables, t: Int32Array, tPrev: Int32Array, eta: number, noise: () => Promise<H | undefined>): Promise<H> {
    const c = ddimCoefficients(s, t, tPrev, eta);
    const terms: ScaledTerm<H>[] = [{ x: p.predX0, coef: c.x0 }, { x: await p.eps(), coef: c.eps }];
    if (c.sigma.some((x) => x > 0)) {
      const z = await noise();
      requireInput(z !== undefined, 'noise', 'is required when eta > 0');
      terms.push({ x: z, coef: c.sigma });
    }
    return track(await linear(terms));
  }

  /** The prediction of a single reverse-process call from its host tensors. */
  async function predictUploaded(track: (h: H) => H, args: { schedule: ScheduleTables; xt: Tensor; modelOutput: Tensor }, t: Int32Array, o: ResolvedOptions): Promise<Prediction<H>> {
    const xt = track(await k.upload(args.xt));
    return predict(track, args.schedule, xt, args.xt.shape, t, track(await k.upload(args.modelOutput)), o);
  }

  function checkReverse(args: { schedule: ScheduleTables; xt: Tensor; t: readonly number[] | Int32Array; modelOutput: Tensor; options?: ReverseOptions }) {
    const n = checkBatch('xt', args.xt);
    const t = checkTimesteps('t', args.t, args.schedule, n);
    const o = resolveOptions(args.options);
    checkModelOutput('modelOutput', args.modelOutput, args.xt, o.variance);
    return { n, t, o };
  }

  async function callModel(model: (xt: Tensor, t: Int32Array) => Tensor | Promise<Tensor>, x: Tensor, t: Int32Array, variance: ResolvedOptions['variance']): Promise<Tensor> {
    const out = await model(x, t);
    checkModelOutput('model output', out, x, variance);
    return out;
  }

  function checkShape(shape: readonly number[]): void {
    requireInput(Array.isArray(shape) && shape.length >= 1 && shape.every((d) => Number.isInteger(d) && d > 0), 'shape', 'must be an array of positive integers');
  }

  const capabilities = ALL_CAPABILITIES.filter(
    (c) =>
      !k.without?.includes(c) &&
      (c !== 'training' || k.training !== undefined) &&
      (c !== 'architectures' || k.training?.architecture !== undefined) &&
      (c !== 'memory' || k.liveTensorCount !== undefined),
  );
  return {
    name: k.name,
    precision: k.precision,
    capabilities,
    metadata: k.metadata,
    training: capabilities.includes('training') ? composeTraining(k, k.training!) : undefined,
    liveTensorCount: k.liveTensorCount?.bind(k),

    async schedule(spec) {
      return scheduleTables(parseScheduleSpec(spec));
    },

    async randomNormal({ shape, seed, stream }) {
      checkShape(shape);
      checkSeed(seed);
      return scoped(async (track) => k.download(track(await normal(shape, seed, stream))));
    },

    async forwardStep({ schedule: s, xPrev, noise, t }) {
      const n = checkBatch('xPrev', xPrev);
      checkLike('noise', noise, xPrev, 'xPrev');
      const ts = checkTimesteps('t', t, s, n);
      return scoped(async (track) => {
        const c = Array.from(ts, (ti) => forwardStepCoefficients(s.betas[ti]));
        const terms = [{ x: track(await k.upload(xPrev)), coef: Float64Array.from(c, (ci) => ci.signal) }, { x: track(await k.upload(noise)), coef: Float64Array.from(c, (ci) => ci.noise) }];
        return k.download(track(await linear(terms)));
      });
    },

    async forwardChain({ schedule: s, x0, t, seed, recordAt = [] }) {
      const n = checkBatch('x0', x0);
      checkSeed(seed);
      requireInput(Number.isInteger(t) && t >= 0 && t <= s.T, 't', `must be an integer in 0..${s.T}, got ${JSON.stringify(t)}`);
      recordAt.forEach((r, i) => requireInput(Number.isInteger(r) && r >= 0 && r <= t, `recordAt[${i}]`, `must be an integer in 0..${t}, got ${JSON.stringify(r)}`));
      const recorded: { t: number; x: Tensor }[] = [];
      let x = await k.upload(x0);
      try {
        if (recordAt.includes(0)) recorded.push({ t: 0, x: await k.download(x) });
        for (let step = 1; step <= t; step++) {
          const c = forwardStepCoefficients(s.betas[step]);
          const z = await normal(x0.shape, seed, step);
          const next = await linear([{ x, coef: new Float64Array(n).fill(c.signal) }, { x: z, coef: new Float64Array(n).fill(c.noise) }]).finally(() => k.dispose(z));
          k.dispose(x);
          x = next;
          if (recordAt.includes(step)) recorded.push({ t: step, x: await k.download(x) });
        }
        return { xt: await k.download(x), recorded };
      } finally {
        k.dispose(x);
      }
    },

    async qSample({ schedule: s, x0, noise, t }) {
      const n = checkBatch('x0', x0);
      checkLike('noise', noise, x0, 'x0');
      const ts = checkTimesteps('t', t, s, n);
      return scoped(async (track) => {
        const c = Array.from(ts, (ti) => closedFormCoefficients(noiseLevel(s, ti)));
        const terms = [{ x: track(await k.upload(x0)), coef: Float64Array.from(c, (ci) => ci.signal) }, { x: track(await k.upload(noise)), coef: Float64Array.from(c, (ci) => ci.noise) }];
        return k.download(track(await linear(terms)));
      });
    },

    async qPosterior({ schedule: s, x0, xt, t }) {
      const n = checkBatch('x0', x0);
      checkLike('xt', xt, x0, 'x0');
      const ts = checkTimesteps('t', t, s, n);
      return scoped(async (track) => {
        const terms = [{ x: track(await k.upload(x0)), coef: perBatch(ts, (ti) => s.posteriorMeanCoefX0[ti]) }, { x: track(await k.upload(xt)), coef: perBatch(ts, (ti) => s.posteriorMeanCoefXt[ti]) }];
        return {
          mean: await k.download(track(await linear(terms))),
          variance: await k.download(track(await k.fill(x0.shape, perBatch(ts, (ti) => s.posteriorVariance[ti])))),
          logVarianceClipped: await k.download(track(await k.fill(x0.shape, perBatch(ts, (ti) => s.posteriorLogVarianceClipped[ti])))),
        };
      });
    },

    async pMeanVariance(args) {
      const { t, o } = checkReverse(args);
      return scoped(async (track) => {
        const p = await predictUploaded(track, args, t, o);
        return { mean: await k.download(await p.mean()), variance: await k.download(await p.variance()), logVariance: await k.download(await p.logVariance()), predX0: await k.download(p.predX0) };
      });
    },

    async ddpmStep(args) {
      const { t, o } = checkReverse(args);
      checkLike('noise', args.noise, args.xt, 'xt');
      return scoped(async (track) => {
        const p = await predictUploaded(track, args, t, o);
        return { prev: await k.download(await ancestralStep(track, p, t, track(await k.upload(args.noise)))), predX0: await k.download(p.predX0) };
      });
    },

    async ddimStep(args) {
      const { n, t, o } = checkReverse(args);
      const tPrev = checkTimesteps('tPrev', args.tPrev, args.schedule, n, 0);
      tPrev.forEach((tp, i) => requireInput(tp < t[i], `tPrev[${i}]`, `must be below t[${i}] = ${t[i]}, got ${tp}`));
      if (args.noise !== undefined) checkLike('noise', args.noise, args.xt, 'xt');
      return scoped(async (track) => {
        const p = await predictUploaded(track, args, t, o);
        const prev = await ddimStep(track, p, args.schedule, t, tPrev, o.eta, async () => (args.noise ? track(await k.upload(args.noise)) : undefined));
        return { prev: await k.download(prev), predX0: await k.download(p.predX0) };
      });
    },

    async ddimReverseStep(args) {
      const { n, t, o } = checkReverse(args);
      requireInput(o.eta === 0, 'options.eta', 'must be 0: only deterministic DDIM can be inverted');
      const tNext = checkTimesteps('tNext', args.tNext, args.schedule, n);
      tNext.forEach((tn, i) => requireInput(tn > t[i], `tNext[${i}]`, `must be above t[${i}] = ${t[i]}, got ${tn}`));
      return scoped(async (track) => {
        const p = await predictUploaded(track, args, t, o);
        const c = Array.from(tNext, (tn) => ddimReverseCoefficients(noiseLevel(args.schedule, tn)));
        const next = await linear([{ x: p.predX0, coef: Float64Array.from(c, (ci) => ci.x0) }, { x: await p.eps(), coef: Float64Array.from(c, (ci) => ci.eps) }]);
        return { next: await k.download(track(next)) };
      });
    },

    async sampleDdpm({ schedule: s, shape, model, seed, options }) {
      checkShape(shape);
      checkSeed(seed);
      const o = resolveOptions(options);
      let x = await normal(shape, seed, 0);
      try {
        for (let step = s.T; step >= 1; step--) {
          const t = new Int32Array(shape[0]).fill(step);
          const xHost = await k.download(x);
          const out = await callModel(model, xHost, t, o.variance);
          const next = await scopedHandle(async (track) => {
            const p = await predict(track, s, x, shape, t, track(await k.upload(out)), o);
            const z = step > 1 ? track(await normal(shape, seed, step)) : track(await k.fill(shape, new Float64Array(shape[0])));
            return ancestralStep(track, p, t, z);
          });
          k.dispose(x);
          x = next;
        }
        return await k.download(x);
      } finally {
        k.dispose(x);
      }
    },

    async sampleDdim({ schedule: s, shape, model, seed, timesteps, options }) {
      checkShape(shape);
      checkSeed(seed);
      const o = resolveOptions(options);
      requireInput(Array.isArray(timesteps) && timesteps.length >= 1, 'timesteps', 'must be a non-empty array');
      timesteps.forEach((ti, i) => {
        requireInput(Number.isInteger(ti) && ti >= 1 && ti <= s.T, `timesteps[${i}]`, `must be an integer in 1..${s.T}, got ${JSON.stringify(ti)}`);
        requireInput(i === 0 || ti < timesteps[i - 1], `timesteps[${i}]`, 'timesteps must be strictly descending');
      });
      let x = await normal(shape, seed, 0);
      try {
        for (let i = 0; i < timesteps.length; i++) {
          const t = new Int32Array(shape[0]).fill(timesteps[i]);
          const tPrev = new Int32Array(shape[0]).fill(timesteps[i + 1] ?? 0);
          const out = await callModel(model, await k.download(x), t, o.variance);
          const next = await scopedHandle(async (track) => {
            const p = await predict(track, s, x, shape, t, track(await k.upload(out)), o);
            return ddimStep(track, p, s, t, tPrev, o.eta, async () => track(await normal(shape, seed, timesteps[i])));
          });
          k.dispose(x);
          x = next;
        }
        return await k.download(x);
      } finally {
        k.dispose(x);
      }
    },

    async lossSimple({ schedule: s, x0, noise, t, modelOutput }) {
      const n = checkBatch('x0', x0);
      checkLike('noise', noise, x0, 'x0');
      checkLike('modelOutput', modelOutput, x0, 'x0');
      checkTimesteps('t', t, s, n);
      const perSample = await scoped(async (track) => k.meanSquaredErrorPerSample(track(await k.upload(noise)), track(await k.upload(modelOutput))));
      let sum = 0;
      for (const v of perSample) sum += v;
      return { perSample: tensor([n], perSample), loss: sum / n };
    },

    async timestepEmbedding({ t, dim, maxPeriod = 10000 }) {
      requireInput((Array.isArray(t) || t instanceof Float64Array) && t.length >= 1, 't', 'must be a non-empty array of numbers');
      const times = Float64Array.from(t as ArrayLike<number>);
      times.forEach((v, i) => requireInput(Number.isFinite(v), `t[${i}]`, `must be a finite number, got ${JSON.stringify(t[i])}`));
      requireInput(Number.isInteger(dim) && dim >= 1, 'dim', `must be an integer >= 1, got ${JSON.stringify(dim)}`);
      requireInput(typeof maxPeriod === 'number' && Number.isFinite(maxPeriod) && maxPeriod > 0, 'maxPeriod', `must be a finite number > 0, got ${JSON.stringify(maxPeriod)}`);
      return scoped(async (track) => k.download(track(await k.sinusoidalEmbedding(times, embeddingFrequencies(dim, maxPeriod), dim))));
    },
  };
}
