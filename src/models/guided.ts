import type { DenoiserModel } from '../contract/backend.js';
import { guidedEps } from '../equations/guidance.js';
import { epsFromX0Coefficients, type PredictionType, x0Coefficients } from '../equations/prediction.js';
import { requireInput } from '../errors.js';
import { noiseLevel, type ScheduleTables } from '../schedule/tables.js';
import { sameShape, type Tensor } from '../tensor.js';

export interface GuidanceOptions {
  /** The guidance weight w: 0 the conditional model, -1 the unconditional one. */
  w: number;
  /** What both models predict. x0 and v outputs are converted to eps before they are combined. */
  prediction: PredictionType;
  schedule: ScheduleTables;
}

/**
 * Classifier-free guidance as a DenoiserModel: eps~ = (1 + w) eps(x_t, c) - w eps(x_t, null) (Ho & Salimans 2022,
 * eq. 6), from the same network run with the labels (`conditional`) and with the null class (`unconditional`).
 * The guided model always predicts eps: x0 and v predictions are first converted to eps, because the guidance
 * formula is a combination of noise predictions (Ho & Salimans 2022, sec. 3.2); run the sampling loops with
 * prediction 'eps'. Computed in float64 on the host from the two downloaded outputs.
 */
export function guidedDenoiser(
  conditional: DenoiserModel,
  unconditional: DenoiserModel,
  options: GuidanceOptions,
): DenoiserModel {
  requireInput(Number.isFinite(options.w), 'guidance', `must be a finite number, got ${options.w}`);
  return async (xt, t) => {
    const c = await conditional(xt, t);
    const u = await unconditional(xt, t);
    for (const [name, out] of [
      ['conditional', c],
      ['unconditional', u],
    ] as const)
      requireInput(
        sameShape(out.shape, xt.shape),
        `${name} model output`,
        `must have x_t's shape [${xt.shape.join(', ')}] (learned variances are not guided), ` +
          `got [${out.shape.join(', ')}]`,
      );
    const item = xt.data.length / xt.shape[0];
    const data = new Float64Array(xt.data.length);
    for (let n = 0; n < xt.shape[0]; n++) {
      const toEps = epsConversion(options.prediction, options.schedule, t[n]);
      for (let i = n * item; i < (n + 1) * item; i++) {
        data[i] = guidedEps(
          toEps.xt * xt.data[i] + toEps.out * c.data[i],
          toEps.xt * xt.data[i] + toEps.out * u.data[i],
          options.w,
        );
      }
    }
    return { shape: [...xt.shape], data } satisfies Tensor;
  };
}

/**
 * eps = a x_t + b out for a model predicting `prediction`: x0^ = x0Coefficients(out), then
 * eps = (x_t - sqrt(alpha-bar_t) x0^) / sqrt(1 - alpha-bar_t) (epsFromX0Coefficients).
 */
function epsConversion(prediction: PredictionType, schedule: ScheduleTables, t: number): { xt: number; out: number } {
  if (prediction === 'eps') return { xt: 0, out: 1 };
  const level = noiseLevel(schedule, t);
  const x0 = x0Coefficients(prediction, level);
  const eps = epsFromX0Coefficients(level);
  return { xt: eps.xt + eps.x0 * x0.xt, out: eps.x0 * x0.out };
}
