import { type NoiseLevel, signalToNoiseRatio } from '../equations/alphas.js';
import { clippedPosteriorLogVariance, posteriorMeanCoefficients, posteriorVariance } from '../equations/posterior.js';
import type { ScheduleTables } from '../schedule/tables.js';
import { decodeTensor } from './wire.js';

/** A list of T values from the program, as a table indexed by t = 0..T with `atZero` at t = 0. */
function table(
  result: Record<string, unknown>,
  name: string,
  T: number,
  atZero: number,
  path: string,
): Float64Array | undefined {
  if (result[name] === undefined) return undefined;
  const values = decodeTensor(result[name], `${path}.${name}`).data;
  if (values.length !== T) throw new Error(`${path}.${name} has ${values.length} values; betas has ${T} (t = 1..T)`);
  const out = new Float64Array(T + 1);
  out[0] = atZero;
  out.set(values, 1);
  return out;
}

/**
 * The schedule tables of a program's `schedule` answer. betas, alphas and alphaBar are the program's; so are
 * logAlphaBar, oneMinusAlphaBar, posteriorVariance and posteriorLogVarianceClipped when it sends them. Otherwise they
 * come from the program's own alpha-bar and betas by the plain formulas (log and 1 - alpha-bar; Ho et al. 2020, eq. 7),
 * never from diffspec's schedule code, so the schedules group checks the program's numbers either way.
 */
export function tablesFromProgram(result: Record<string, unknown>, path: string): ScheduleTables {
  const betas = table(result, 'betas', decodeTensor(result.betas, `${path}.betas`).data.length, 0, path)!;
  const T = betas.length - 1;
  const alphas = table(result, 'alphas', T, 1, path)!;
  const alphaBar = table(result, 'alphaBar', T, 1, path)!;
  const logAlphaBar = table(result, 'logAlphaBar', T, 0, path) ?? alphaBar.map(Math.log);
  const oneMinusAlphaBar = table(result, 'oneMinusAlphaBar', T, 0, path) ?? alphaBar.map((a) => 1 - a);
  const level = (t: number): NoiseLevel => ({ alphaBar: alphaBar[t], oneMinusAlphaBar: oneMinusAlphaBar[t] });
  const variance =
    table(result, 'posteriorVariance', T, 0, path) ??
    Float64Array.from(betas, (b, t) => (t === 0 ? 0 : posteriorVariance(b, level(t - 1), level(t))));
  const logClipped =
    table(result, 'posteriorLogVarianceClipped', T, 0, path) ??
    Float64Array.from(betas, (_, t) => (t === 0 ? 0 : clippedPosteriorLogVariance(variance, betas, t)));
  const coefficients = Array.from(betas, (b, t) =>
    t === 0 ? { x0: 0, xt: 0 } : posteriorMeanCoefficients(b, alphas[t], level(t - 1), level(t)),
  );
  return {
    T,
    betas,
    alphas,
    alphaBar,
    logAlphaBar,
    oneMinusAlphaBar,
    posteriorVariance: variance,
    posteriorLogVarianceClipped: logClipped,
    posteriorMeanCoefX0: Float64Array.from(coefficients, (c) => c.x0),
    posteriorMeanCoefXt: Float64Array.from(coefficients, (c) => c.xt),
    snr: Float64Array.from(betas, (_, t) => (t === 0 ? Infinity : signalToNoiseRatio(level(t)))),
  };
}
