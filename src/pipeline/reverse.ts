import type { ScaledTerm, TensorKernels } from '../contract/kernels.js';
import {
  ddimTargetTimestep,
  reverseFixedLargeVariance,
  reversePosteriorLogVariance,
  reversePosteriorVariance,
} from '../conventions/choices.js';
import { oneMinusAlphaBarRatio } from '../equations/alphas.js';
import { ddimStepCoefficients } from '../equations/ddim.js';
import { epsFromX0Coefficients, x0Coefficients } from '../equations/prediction.js';
import { learnedRangeLogVarianceCoefficients } from '../equations/variance.js';
import { noiseLevel, type ScheduleTables } from '../schedule/tables.js';
import type { Tensor } from '../tensor.js';
import type { Track } from './scope.js';
import type { ResolvedOptions } from './validate.js';

// The reverse process from kernels, shared by the single steps and the sampling loops. Notation: s the
// schedule tables, t (tPrev) the timesteps per batch element, o the resolved reverse options.

/** Per-batch values f(t_n). */
export function perBatch(t: Int32Array, f: (t: number) => number): Float64Array {
  return Float64Array.from(t, f);
}

/** What the model output implies at x_t; each part is computed on first use only. */
export interface Prediction<H> {
  predX0: H;
  /** The model's eps, or eps recomputed from the (clipped) x0 prediction. */
  eps: () => Promise<H>;
  mean: () => Promise<H>;
  logVariance: () => Promise<H>;
  variance: () => Promise<H>;
}

export async function predict<H>(
  k: TensorKernels<H>,
  track: Track<H>,
  s: ScheduleTables,
  xt: H,
  xtShape: readonly number[],
  t: Int32Array,
  output: H,
  o: ResolvedOptions,
): Promise<Prediction<H>> {
  let raw = output;
  let v: H | undefined;
  if (o.variance === 'learned_range') [raw, v] = (await k.splitChannels(output, xtShape[1])).map(track) as [H, H];
  const x0Coefficient = (part: 'xt' | 'out') =>
    perBatch(t, (ti) => x0Coefficients(o.prediction, noiseLevel(s, ti))[part]);
  let predX0 =
    o.prediction === 'x0'
      ? raw
      : track(
          await k.linear([
            { x: xt, coef: x0Coefficient('xt') },
            { x: raw, coef: x0Coefficient('out') },
          ]),
        );
  const unclippedX0 = predX0;
  if (o.clip) predX0 = track(await k.clip(predX0, -1, 1));
  const conventions = o.conventions;
  // Memoised as a Promise: computed once however many callers ask.
  let logVar: Promise<H> | undefined;
  const computeLogVariance = async (): Promise<H> => {
    if (o.variance === 'learned_range') {
      const coefficients = (ti: number) =>
        learnedRangeLogVarianceCoefficients(Math.log(s.betas[ti]), reversePosteriorLogVariance(s, ti, conventions));
      const c = perBatch(t, (ti) => coefficients(ti).scale);
      const offset = perBatch(t, (ti) => coefficients(ti).offset);
      return track(await k.linear([{ x: v!, coef: c }], offset));
    }
    if (o.variance === 'fixed_large') {
      const logVariance = perBatch(t, (ti) => Math.log(reverseFixedLargeVariance(s, ti, conventions)));
      return track(await k.fill(xtShape, logVariance));
    }
    return track(
      await k.fill(
        xtShape,
        perBatch(t, (ti) => reversePosteriorLogVariance(s, ti, conventions)),
      ),
    );
  };
  const logVariance = (): Promise<H> => (logVar ??= computeLogVariance());
  return {
    predX0,
    // For an unclipped eps prediction the model's eps is used as is: recomputing it from x0 is the same in exact
    // arithmetic but cancels digits. Under clipping the profile picks the x0^ it is recomputed from.
    eps: async () => {
      const fromUnclipped = !o.clip || conventions.ddimEps === 'unclipped-x0';
      if (o.prediction === 'eps' && fromUnclipped) return raw;
      const epsCoefficient = (part: 'xt' | 'x0') => perBatch(t, (ti) => epsFromX0Coefficients(noiseLevel(s, ti))[part]);
      return track(
        await k.linear([
          { x: xt, coef: epsCoefficient('xt') },
          { x: fromUnclipped ? unclippedX0 : predX0, coef: epsCoefficient('x0') },
        ]),
      );
    },
    mean: async () => {
      const terms = [
        { x: predX0, coef: perBatch(t, (ti) => s.posteriorMeanCoefX0[ti]) },
        { x: xt, coef: perBatch(t, (ti) => s.posteriorMeanCoefXt[ti]) },
      ];
      return track(await k.linear(terms));
    },
    logVariance,
    variance: async () => {
      if (o.variance === 'learned_range') return track(await k.exp(await logVariance(), 1));
      if (o.variance === 'fixed_large') {
        return track(
          await k.fill(
            xtShape,
            perBatch(t, (ti) => reverseFixedLargeVariance(s, ti, conventions)),
          ),
        );
      }
      return track(
        await k.fill(
          xtShape,
          perBatch(t, (ti) => reversePosteriorVariance(s, ti, conventions)),
        ),
      );
    },
  };
}

/** The prediction of a single reverse-process call from its host tensors. */
export async function predictUploaded<H>(
  k: TensorKernels<H>,
  track: Track<H>,
  args: { schedule: ScheduleTables; xt: Tensor; modelOutput: Tensor },
  t: Int32Array,
  o: ResolvedOptions,
): Promise<Prediction<H>> {
  const xt = track(await k.upload(args.xt));
  return predict(k, track, args.schedule, xt, args.xt.shape, t, track(await k.upload(args.modelOutput)), o);
}

/** x_{t-1} = mean + [t > 1] exp(log sigma^2 / 2) z: no noise is added at t = 1 (Ho et al. 2020, Algorithm 2). */
export async function ancestralStep<H>(
  k: TensorKernels<H>,
  track: Track<H>,
  p: Prediction<H>,
  t: Int32Array,
  noise: H,
): Promise<H> {
  const scaledNoise = track(await k.multiply(track(await k.exp(await p.logVariance(), 0.5)), noise));
  const mean = await p.mean();
  const noiseFactor = perBatch(t, (ti) => (ti > 1 ? 1 : 0));
  return track(
    await k.linear([
      { x: mean, coef: perBatch(t, () => 1) },
      { x: scaledNoise, coef: noiseFactor },
    ]),
  );
}

/** sigma_t(eta), and the coefficients of x0-hat and eps-hat in x_{tPrev} (Song et al. 2021, eq. 12). */
export interface DdimCoefficients {
  sigma: Float64Array;
  x0: Float64Array;
  eps: Float64Array;
}

export function ddimCoefficients(
  s: ScheduleTables,
  t: Int32Array,
  tPrev: Int32Array,
  o: Pick<ResolvedOptions, 'eta' | 'conventions'>,
): DdimCoefficients {
  const c = Array.from(t, (ti, n) => {
    const target = ddimTargetTimestep(tPrev[n], o.conventions);
    const ratio = oneMinusAlphaBarRatio(s.betas, target, ti);
    return ddimStepCoefficients(o.eta, noiseLevel(s, ti), noiseLevel(s, target), ratio);
  });
  const of = (pick: (ci: (typeof c)[number]) => number) => Float64Array.from(c, pick);
  return { sigma: of((ci) => ci.noise), x0: of((ci) => ci.x0), eps: of((ci) => ci.eps) };
}

/** x_{tPrev} = c.x0 x0-hat + c.eps eps-hat + sigma z; the noise is drawn only where some sigma > 0. */
export async function ddimUpdate<H>(
  k: TensorKernels<H>,
  track: Track<H>,
  p: Prediction<H>,
  c: DdimCoefficients,
  noise: () => Promise<H>,
): Promise<H> {
  const terms: ScaledTerm<H>[] = [
    { x: p.predX0, coef: c.x0 },
    { x: await p.eps(), coef: c.eps },
  ];
  if (c.sigma.some((x) => x > 0)) terms.push({ x: await noise(), coef: c.sigma });
  return track(await k.linear(terms));
}
