import type { Capability, DenoiserModel, DiffusionBackend } from '../contract/backend.js';
import { gaussianTensor } from '../random/gaussian.js';
import { DDPM_SCHEDULE } from '../schedule/spec.js';
import type { ScheduleTables } from '../schedule/tables.js';
import type { Tensor } from '../tensor.js';

/** The shared inputs every backend gets: the same seeded noise (src/random), so outputs compare value by value. */
export interface CompareInputs {
  shape: number[];
  x0: Tensor;
  noise: Tensor;
  modelOutput: Tensor;
  t: number[];
  tPrev: number[];
  seed: number;
}

export function compareInputs(seed: number, batch: number, side: number): CompareInputs {
  const shape = [batch, 3, side, side];
  const t = Array.from({ length: batch }, (_, i) => 1 + Math.floor(((i + 0.5) * 999) / batch));
  return { shape, x0: gaussianTensor(shape, seed, 1), noise: gaussianTensor(shape, seed, 2), modelOutput: gaussianTensor(shape, seed, 3), t, tPrev: t.map((v) => Math.max(0, v - 50)), seed };
}

/** A fixed, deterministic stand-in denoiser for the sampling loops: eps-hat = 0.1 x_t. */
const linearModel: DenoiserModel = (xt) => ({ shape: xt.shape, data: xt.data.map((v) => 0.1 * v) });

export interface ComparedOperation {
  name: string;
  requires: Capability;
  /** Draws the backend's own noise: outputs agree only where backends use the shared generator (src/random). */
  drawsNoise?: boolean;
  run(b: DiffusionBackend, s: ScheduleTables, i: CompareInputs): Promise<Tensor>;
}

/** The operations `diffspec compare` times and checks, each returning its main output tensor. */
export const COMPARED_OPERATIONS: readonly ComparedOperation[] = [
  { name: 'forwardStep', requires: 'forward', run: (b, s, i) => b.forwardStep({ schedule: s, xPrev: i.x0, noise: i.noise, t: i.t }) },
  { name: 'qSample', requires: 'forward', run: (b, s, i) => b.qSample({ schedule: s, x0: i.x0, noise: i.noise, t: i.t }) },
  { name: 'forwardChain (100 steps)', requires: 'forward', drawsNoise: true, run: async (b, s, i) => (await b.forwardChain({ schedule: s, x0: i.x0, t: 100, seed: i.seed })).xt },
  { name: 'qPosterior mean', requires: 'forward', run: async (b, s, i) => (await b.qPosterior({ schedule: s, x0: i.x0, xt: i.noise, t: i.t })).mean },
  { name: 'pMeanVariance mean', requires: 'reverse', run: async (b, s, i) => (await b.pMeanVariance({ schedule: s, xt: i.x0, t: i.t, modelOutput: i.modelOutput })).mean },
  { name: 'ddpmStep', requires: 'reverse', run: async (b, s, i) => (await b.ddpmStep({ schedule: s, xt: i.x0, t: i.t, modelOutput: i.modelOutput, noise: i.noise })).prev },
  { name: 'ddimStep (eta 0)', requires: 'reverse', run: async (b, s, i) => (await b.ddimStep({ schedule: s, xt: i.x0, t: i.t, tPrev: i.tPrev, modelOutput: i.modelOutput })).prev },
  { name: 'ddimReverseStep', requires: 'reverse', run: async (b, s, i) => (await b.ddimReverseStep({ schedule: s, xt: i.x0, t: i.tPrev.map((v) => Math.max(1, v)), tNext: i.t, modelOutput: i.modelOutput })).next },
  { name: 'sampleDdim (10 steps)', requires: 'sampling', drawsNoise: true, run: (b, s, i) => b.sampleDdim({ schedule: s, shape: i.shape, model: linearModel, seed: i.seed, timesteps: Array.from({ length: 10 }, (_, k) => 1000 - 100 * k) }) },
  { name: 'lossSimple per sample', requires: 'loss', run: async (b, s, i) => (await b.lossSimple({ schedule: s, x0: i.x0, noise: i.noise, t: i.t, modelOutput: i.modelOutput })).perSample },
  { name: 'timestepEmbedding (dim 128)', requires: 'embedding', run: (b, _s, i) => b.timestepEmbedding({ t: i.t, dim: 128 }) },
];

/** The schedule the comparison runs on: Ho et al.'s T = 1000. */
export const COMPARE_SCHEDULE = DDPM_SCHEDULE;
