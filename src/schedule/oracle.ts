import { all, create, type BigNumber } from 'mathjs';
import { COSINE_DEFAULT_MAX_BETA, COSINE_DEFAULT_S, type ScheduleSpec } from './spec.js';
import { scheduleBetas } from './tables.js';

const math = create(all, { number: 'BigNumber', precision: 64 });

function big(x: number | string): BigNumber {
  return math.bignumber(x);
}

/** cos^2(((u + s) / (1 + s)) pi / 2) in 64-digit arithmetic. */
function cosineAlphaBarBig(u: BigNumber, s: BigNumber): BigNumber {
  const angle = math.multiply(math.divide(math.add(u, s), math.add(big(1), s)), math.divide(math.pi, 2)) as BigNumber;
  const c = math.cos(angle);
  return math.multiply(c, c) as BigNumber;
}

/**
 * The betas of a schedule computed independently in 64-digit decimal arithmetic (exact decimal inputs),
 * for cosine directly from the continuous alpha-bar, so float64 code is compared with an independent value.
 */
function oracleBetas(spec: ScheduleSpec): BigNumber[] {
  if (!('betas' in spec) && spec.kind === 'cosine') {
    const T = big(spec.T);
    const s = big(String(spec.s ?? COSINE_DEFAULT_S));
    const maxBeta = big(String(spec.maxBeta ?? COSINE_DEFAULT_MAX_BETA));
    const out: BigNumber[] = [];
    for (let t = 1; t <= spec.T; t++) {
      const ratio = math.divide(cosineAlphaBarBig(math.divide(big(t), T) as BigNumber, s), cosineAlphaBarBig(math.divide(big(t - 1), T) as BigNumber, s));
      out.push(math.min(math.subtract(big(1), ratio) as BigNumber, maxBeta));
    }
    return out;
  }
  if (!('betas' in spec) && spec.kind === 'linear' && spec.T > 1) {
    const b0 = big(String(spec.betaStart));
    const step = math.divide(math.subtract(big(String(spec.betaEnd)), b0), big(spec.T - 1)) as BigNumber;
    return Array.from({ length: spec.T }, (_, i) => math.add(b0, math.multiply(step, big(i))) as BigNumber);
  }
  // Other kinds: exact products of the float64 betas (each double written out as its shortest decimal).
  return Array.from(scheduleBetas(spec), (b) => big(String(b)));
}

/**
 * alpha-bar_t = prod_{s<=t} (1 - beta_s) and 1 - alpha-bar_t for t = 1..T, in 64-digit arithmetic,
 * each rounded to float64 only at the end.
 */
export function oracleAlphaBar(spec: ScheduleSpec): { alphaBar: Float64Array; oneMinusAlphaBar: Float64Array } {
  const betas = oracleBetas(spec);
  const alphaBar = new Float64Array(betas.length);
  const oneMinusAlphaBar = new Float64Array(betas.length);
  let product = big(1);
  betas.forEach((b, i) => {
    product = math.multiply(product, math.subtract(big(1), b)) as BigNumber;
    alphaBar[i] = product.toNumber();
    oneMinusAlphaBar[i] = (math.subtract(big(1), product) as BigNumber).toNumber();
  });
  return { alphaBar, oneMinusAlphaBar };
}
