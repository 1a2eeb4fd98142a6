import { cpuBackend } from '../../backends/cpu/index.js';
import { cosineTheta } from '../../src/schedule/cosine.js';
import type { ScheduleSpec } from '../../src/schedule/spec.js';
import { broken, type CheckName } from './broken.js';

const COSINE_CLIP: CheckName =
  'schedules > cosine betas are clipped at max_beta and follow f(t)/f(0) before the clip, for every s and max_beta';
const TABLE_FIELDS: CheckName =
  'schedules > every ScheduleTables field equals its definition computed in 64-digit arithmetic';
const ALPHA_BAR_PRODUCT: CheckName =
  'schedules > alpha-bar and 1 - alpha-bar equal the product of (1 - beta) computed in 64-digit arithmetic';

/** Cosine betas 1 - f(t)/f(t-1) without the max_beta clip: beta_T rounds to 1 and alpha-bar_T to 0. */
async function unclippedCosine(spec: ScheduleSpec) {
  const s = await cpuBackend.schedule(spec);
  if ('betas' in spec || spec.kind !== 'cosine') return s;
  const f = (t: number) => Math.cos(cosineTheta(t / spec.T, spec.s ?? 0.008)) ** 2;
  const betas = Float64Array.from(s.betas, (_b, t) => (t === 0 ? 0 : 1 - f(t) / f(t - 1)));
  const alphas = betas.map((b) => 1 - b);
  const alphaBar = Float64Array.from(s.alphaBar);
  for (let t = 1; t <= s.T; t++) alphaBar[t] = alphaBar[t - 1] * alphas[t];
  return { ...s, betas, alphas, alphaBar, oneMinusAlphaBar: alphaBar.map((a) => 1 - a) };
}

export const brokenSchedules = [
  // Class 1 of issue 11 (an option checked at one value only): max_beta was only ever used at its default.
  broken(
    'cosine-max-beta-ignored',
    'the cosine schedule clips at max_beta = 0.999 whatever max_beta it is given',
    COSINE_CLIP,
    {
      schedule: (spec) =>
        cpuBackend.schedule('betas' in spec || spec.kind !== 'cosine' ? spec : { ...spec, maxBeta: undefined }),
    },
  ),
  // Class 3 of issue 11 (a returned field no check reads): nothing read the SNR table.
  broken(
    'snr-amplitude-ratio',
    'the SNR table holds sqrt(alpha-bar / (1 - alpha-bar)), a ratio of amplitudes',
    TABLE_FIELDS,
    {
      async schedule(spec) {
        const s = await cpuBackend.schedule(spec);
        return { ...s, snr: s.snr.map(Math.sqrt) };
      },
    },
  ),
  broken('cosine-unclipped', 'cosine betas are not clipped at max_beta = 0.999', COSINE_CLIP, {
    schedule: unclippedCosine,
  }),
  broken('float32-alpha-bar', 'alpha-bar accumulated as a float32 running product', ALPHA_BAR_PRODUCT, {
    async schedule(spec) {
      const s = await cpuBackend.schedule(spec);
      const alphaBar = new Float32Array(s.T + 1);
      alphaBar[0] = 1;
      for (let t = 1; t <= s.T; t++) alphaBar[t] = Math.fround(alphaBar[t - 1] * Math.fround(s.alphas[t]));
      return { ...s, alphaBar: Float64Array.from(alphaBar) };
    },
  }),
];
