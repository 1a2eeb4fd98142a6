// Expected values of the reverse-process quantities, computed by the specs in float64 with running magnitudes.
//   eps:  x0^ = (x_t - sqrt(1 - ab_t) eps) / sqrt(ab_t)           (Ho et al. 2020, eq. 4 solved for x_0)
//   v:    x0^ = sqrt(ab_t) x_t - sqrt(1 - ab_t) v                   (Salimans & Ho 2022, sec. 4)
//   x0:   x0^ = model output
//   mu = c1 x0^ + c2 x_t with the posterior coefficients            (Ho et al. 2020, eq. 7)
import type { PredictionType } from '../../src/equations/prediction.js';
import type { ScheduleTables } from '../../src/schedule/tables.js';
import { atT, combine, type Expected } from '../../src/speckit/combination.js';

export function expectedX0(prediction: PredictionType, s: ScheduleTables, t: readonly number[], xt: ArrayLike<number>, out: ArrayLike<number>): Expected {
  const n = t.length;
  switch (prediction) {
    case 'eps':
      return combine(n, [
        { coef: atT(t, (u) => 1 / Math.sqrt(s.alphaBar[u])), x: xt },
        { coef: atT(t, (u) => -Math.sqrt(s.oneMinusAlphaBar[u]) / Math.sqrt(s.alphaBar[u])), x: out },
      ]);
    case 'v':
      return combine(n, [
        { coef: atT(t, (u) => Math.sqrt(s.alphaBar[u])), x: xt },
        { coef: atT(t, (u) => -Math.sqrt(s.oneMinusAlphaBar[u])), x: out },
      ]);
    case 'x0':
      return combine(n, [{ coef: atT(t, () => 1), x: out }]);
  }
}

export function expectedPosteriorMean(s: ScheduleTables, t: readonly number[], x0: Expected | ArrayLike<number>, xt: ArrayLike<number>): Expected {
  return combine(t.length, [
    { coef: atT(t, (u) => s.posteriorMeanCoefX0[u]), x: x0 },
    { coef: atT(t, (u) => s.posteriorMeanCoefXt[u]), x: xt },
  ]);
}

/** clip to [-1, 1]: exact, so the magnitude and flush count carry over. */
export function clipped(e: Expected): Expected {
  return { value: e.value.map((v) => Math.min(1, Math.max(-1, v))), scale: e.scale, floor: e.floor };
}

/** eps from x_t and x0^: (x_t - sqrt(ab_t) x0^) / sqrt(1 - ab_t). */
export function expectedEpsFromX0(s: ScheduleTables, t: readonly number[], xt: ArrayLike<number>, x0: Expected): Expected {
  return combine(t.length, [
    { coef: atT(t, (u) => 1 / Math.sqrt(s.oneMinusAlphaBar[u])), x: xt },
    { coef: atT(t, (u) => -Math.sqrt(s.alphaBar[u]) / Math.sqrt(s.oneMinusAlphaBar[u])), x: x0 },
  ]);
}

/** Per-batch constant broadcast over the item, as an Expected with its own magnitude. */
export function perItem(t: readonly number[], size: number, f: (t: number) => number): Expected {
  const m = size / t.length;
  const value = Float64Array.from({ length: size }, (_, i) => f(t[Math.floor(i / m)]));
  return { value, scale: value.map(Math.abs), floor: new Float64Array(size).fill(1) };
}
