// A third-party diffusion backend in plain JavaScript, written against diffspec's contract
// (DiffusionBackend, src/contract/backend.ts) without importing anything from diffspec: it stores
// float32 tensors, computes its own schedule tables in float64 and draws its own noise. It implements
// the forward process only, and says so in `capabilities`; diffspec skips the checks it cannot run.
//
// Verify it without editing diffspec:   npx diffspec conformance --backend examples/plain-js-backend/backend.mjs

const linspace = (a, b, n) =>
  Array.from({ length: n }, (_, i) => (n === 1 ? a : i === n - 1 ? b : a + (i * (b - a)) / (n - 1)));

// Cosine schedule (Nichol & Dhariwal 2021): beta_t = 1 - cos^2(theta_t) / cos^2(theta_{t-1}), written as
// sin(theta_t + theta_{t-1}) sin(theta_t - theta_{t-1}) / cos^2(theta_{t-1}) so small betas keep their digits.
function cosineBetas(T, s, maxBeta) {
  const theta = (t) => ((t / T + s) / (1 + s)) * (Math.PI / 2);
  return Array.from({ length: T }, (_, i) =>
    Math.min(
      (Math.sin(theta(i + 1) + theta(i)) * Math.sin(theta(i + 1) - theta(i))) / Math.cos(theta(i)) ** 2,
      maxBeta,
    ),
  );
}

/** beta_1..beta_T for each schedule kind of the contract's ScheduleSpec. */
function betasOf(spec) {
  if (Array.isArray(spec.betas)) return spec.betas;
  const { T } = spec;
  switch (spec.kind) {
    case 'linear':
      return linspace(spec.betaStart, spec.betaEnd, T);
    case 'quadratic':
      return linspace(Math.sqrt(spec.betaStart), Math.sqrt(spec.betaEnd), T).map((r) => r * r);
    case 'sigmoid':
      return linspace(spec.sigmoidStart ?? -6, spec.sigmoidEnd ?? 6, T).map(
        (x) => (spec.betaEnd - spec.betaStart) / (1 + Math.exp(-x)) + spec.betaStart,
      );
    case 'cosine':
      return cosineBetas(T, spec.s ?? 0.008, spec.maxBeta ?? 0.999);
    default:
      throw new Error(`schedule.kind: unsupported ${JSON.stringify(spec.kind)}`);
  }
}

/** The fields each schedule kind takes (ScheduleSpec in diffspec's contract); `betas` alone is the explicit kind. */
const KIND_FIELDS = {
  linear: ['T', 'betaStart', 'betaEnd'],
  quadratic: ['T', 'betaStart', 'betaEnd'],
  sigmoid: ['T', 'betaStart', 'betaEnd', 'sigmoidStart', 'sigmoidEnd'],
  cosine: ['T', 's', 'maxBeta'],
  explicit: ['betas'],
};

/** Throws "schedule.<field>: what is wrong" for a schedule description the contract does not allow. */
function checkSchedule(spec) {
  const fail = (field, detail) => {
    throw new Error(`schedule${field ? `.${field}` : ''}: ${detail}`);
  };
  if (spec === null || typeof spec !== 'object' || Array.isArray(spec))
    fail('', 'must be an object such as {"kind": "linear", ...}');
  const kind = spec.kind ?? ('betas' in spec ? 'explicit' : undefined);
  if (typeof kind !== 'string' || !(kind in KIND_FIELDS))
    fail('kind', `must be one of ${Object.keys(KIND_FIELDS).join(', ')}`);
  for (const key of Object.keys(spec))
    if (key !== 'kind' && !KIND_FIELDS[kind].includes(key)) fail(key, `is not a field of the ${kind} schedule`);
  const inUnit = (x) => typeof x === 'number' && x > 0 && x < 1;
  if (kind === 'explicit') {
    if (!Array.isArray(spec.betas) || spec.betas.length === 0)
      fail('betas', 'must be a non-empty array of numbers in (0, 1)');
    spec.betas.forEach((b, i) => {
      if (!inUnit(b)) fail(`betas[${i}]`, `must be in (0, 1), got ${b}`);
    });
    return;
  }
  if (!Number.isInteger(spec.T) || spec.T < 1) fail('T', `must be an integer >= 1, got ${JSON.stringify(spec.T)}`);
  for (const key of ['betaStart', 'betaEnd']) {
    if (KIND_FIELDS[kind].includes(key) && !inUnit(spec[key]))
      fail(key, `must be a number in (0, 1), got ${spec[key]}`);
  }
  for (const key of ['sigmoidStart', 'sigmoidEnd']) {
    if (spec[key] !== undefined && !Number.isFinite(spec[key])) fail(key, `must be a finite number, got ${spec[key]}`);
  }
  if (spec.s !== undefined && !(Number.isFinite(spec.s) && spec.s >= 0))
    fail('s', `must be a finite number >= 0, got ${spec.s}`);
  if (spec.maxBeta !== undefined && !inUnit(spec.maxBeta)) fail('maxBeta', `must be in (0, 1), got ${spec.maxBeta}`);
}

/** Tables indexed by t = 0..T (entry 0 is the data, alpha-bar_0 = 1). */
function tables(spec) {
  checkSchedule(spec);
  const b = betasOf(spec);
  const T = b.length;
  const betas = new Float64Array(T + 1);
  const alphas = new Float64Array(T + 1).fill(1);
  const alphaBar = new Float64Array(T + 1).fill(1);
  // 1 - alpha-bar_t from the sum of log(1 - beta_s): no cancellation while alpha-bar_t is near 1.
  const logAlphaBar = new Float64Array(T + 1);
  const oneMinusAlphaBar = new Float64Array(T + 1);
  const posteriorVariance = new Float64Array(T + 1);
  const posteriorMeanCoefX0 = new Float64Array(T + 1);
  const posteriorMeanCoefXt = new Float64Array(T + 1);
  const snr = new Float64Array(T + 1).fill(Infinity);
  for (let t = 1; t <= T; t++) {
    betas[t] = b[t - 1];
    alphas[t] = 1 - betas[t];
    alphaBar[t] = alphaBar[t - 1] * alphas[t];
    logAlphaBar[t] = logAlphaBar[t - 1] + Math.log1p(-betas[t]);
    oneMinusAlphaBar[t] = -Math.expm1(logAlphaBar[t]);
    posteriorVariance[t] = (oneMinusAlphaBar[t - 1] / oneMinusAlphaBar[t]) * betas[t];
    posteriorMeanCoefX0[t] = (Math.sqrt(alphaBar[t - 1]) * betas[t]) / oneMinusAlphaBar[t];
    posteriorMeanCoefXt[t] = (Math.sqrt(alphas[t]) * oneMinusAlphaBar[t - 1]) / oneMinusAlphaBar[t];
    snr[t] = alphaBar[t] / oneMinusAlphaBar[t];
  }
  // Below the smallest normal number alpha-bar loses its digits and later divisions give NaN: refuse such schedules.
  if (!(alphaBar[T] >= 2 ** -1022))
    throw new Error(`schedule: alpha-bar_T = ${alphaBar[T]} leaves the normal float64 range`);
  const posteriorLogVarianceClipped = posteriorVariance.map((v, t) =>
    t === 0 ? 0 : Math.log(t > 1 ? v : T > 1 ? posteriorVariance[2] : betas[1]),
  );
  return {
    T,
    betas,
    alphas,
    alphaBar,
    logAlphaBar,
    oneMinusAlphaBar,
    posteriorVariance,
    posteriorLogVarianceClipped,
    posteriorMeanCoefX0,
    posteriorMeanCoefXt,
    snr,
  };
}

/**
 * Standard normal noise from (seed, stream): a mulberry32 generator and Box-Muller. Seeds are integers in 0..2^53 - 1;
 * the part above 2^32 is mixed into the state too (`seed >>> 0` alone would give seeds s and s + 2^32 one stream).
 */
function normal(count, seed, stream) {
  if (!Number.isSafeInteger(seed) || seed < 0) throw new Error(`seed: must be an integer in 0..2^53 - 1, got ${seed}`);
  const high = Math.floor(seed / 2 ** 32);
  let state = (seed ^ Math.imul(stream + 1, 0x9e3779b9) ^ Math.imul(high + 1, 0x85ebca6b)) >>> 0;
  const uniform = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let x = Math.imul(state ^ (state >>> 15), state | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
  const out = new Float32Array(count);
  for (let i = 0; i < count; i += 2) {
    const r = Math.sqrt(-2 * Math.log(1 - uniform()));
    const angle = 2 * Math.PI * uniform();
    out[i] = r * Math.cos(angle);
    if (i + 1 < count) out[i + 1] = r * Math.sin(angle);
  }
  return out;
}

/** out = a(t_n) x + b(t_n) y per batch item n; t holds one timestep per batch item. */
function combine(x, y, t, a, b) {
  const n = x.shape[0];
  const item = x.data.length / n;
  const data = new Float32Array(x.data.length);
  for (let i = 0; i < data.length; i++) {
    const s = t[Math.floor(i / item)];
    data[i] = a(s) * x.data[i] + b(s) * y.data[i];
  }
  return { shape: [...x.shape], data };
}

function checkTimesteps(t, tab, n) {
  if (t.length !== n) throw new Error(`t: has ${t.length} timesteps, the batch has ${n}`);
  for (const s of t) if (!Number.isInteger(s) || s < 1 || s > tab.T) throw new Error(`t: ${s} is not in 1..${tab.T}`);
}

const unsupported = (op) => async () => {
  throw new Error(`${op} is not implemented by the plain-js example backend`);
};

/** @type {import('diffspec').DiffusionBackend} */
export const backend = {
  name: 'plain-js',
  precision: 'float32',
  capabilities: ['schedule', 'forward', 'random'],
  metadata: { language: 'JavaScript', storage: 'Float32Array' },
  async schedule(spec) {
    return tables(spec);
  },
  async randomNormal({ shape, seed, stream }) {
    return {
      shape: [...shape],
      data: normal(
        shape.reduce((a, b) => a * b, 1),
        seed,
        stream,
      ),
    };
  },
  async forwardStep({ schedule, xPrev, noise, t }) {
    checkTimesteps(t, schedule, xPrev.shape[0]);
    return combine(
      xPrev,
      noise,
      t,
      (s) => Math.sqrt(1 - schedule.betas[s]),
      (s) => Math.sqrt(schedule.betas[s]),
    );
  },
  async qSample({ schedule, x0, noise, t }) {
    checkTimesteps(t, schedule, x0.shape[0]);
    return combine(
      x0,
      noise,
      t,
      (s) => Math.sqrt(schedule.alphaBar[s]),
      (s) => Math.sqrt(schedule.oneMinusAlphaBar[s]),
    );
  },
  async forwardChain({ schedule, x0, t, seed, recordAt = [] }) {
    let x = { shape: [...x0.shape], data: Float32Array.from(x0.data) };
    const recorded = recordAt.includes(0) ? [{ t: 0, x }] : [];
    for (let step = 1; step <= t; step++) {
      const noise = { shape: x.shape, data: normal(x.data.length, seed, step) };
      x = await this.forwardStep({ schedule, xPrev: x, noise, t: new Array(x.shape[0]).fill(step) });
      if (recordAt.includes(step)) recorded.push({ t: step, x });
    }
    return { xt: x, recorded };
  },
  async qPosterior({ schedule, x0, xt, t }) {
    checkTimesteps(t, schedule, x0.shape[0]);
    const mean = combine(
      x0,
      xt,
      t,
      (s) => schedule.posteriorMeanCoefX0[s],
      (s) => schedule.posteriorMeanCoefXt[s],
    );
    const item = x0.data.length / x0.shape[0];
    const perItem = (table) => ({
      shape: [...x0.shape],
      data: Float32Array.from(x0.data, (_, i) => table[t[Math.floor(i / item)]]),
    });
    return {
      mean,
      variance: perItem(schedule.posteriorVariance),
      logVarianceClipped: perItem(schedule.posteriorLogVarianceClipped),
    };
  },
  pMeanVariance: unsupported('pMeanVariance'),
  ddpmStep: unsupported('ddpmStep'),
  ddimStep: unsupported('ddimStep'),
  ddimReverseStep: unsupported('ddimReverseStep'),
  sampleDdpm: unsupported('sampleDdpm'),
  sampleDdim: unsupported('sampleDdim'),
  lossSimple: unsupported('lossSimple'),
  timestepEmbedding: unsupported('timestepEmbedding'),
};

export default backend;
