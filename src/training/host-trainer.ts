import type { Trainer, TrainerState, TrainingBackend, TrainOptions, Weights } from '../contract/training.js';
import { clipScale } from '../equations/clipping.js';
import { emaCoefficients } from '../equations/ema.js';
import { architectureOf, type ModelSpec } from '../models/spec.js';
import type { ScheduleTables } from '../schedule/tables.js';
import type { Tensor } from '../tensor.js';
import { checkItems, checkTrainerStart, nextStep } from './arguments.js';
import { checkLabels, droppedLabels } from './labels.js';

/** The pure operations of the training contract a trainer is made of. */
export type PureTrainingOperations = Pick<TrainingBackend, 'lossAndGradients' | 'adamStep' | 'sampleTimesteps'>;

const copy = (t: Tensor): Tensor => ({ shape: [...t.shape], data: Float64Array.from(t.data) });
const copyAll = (w: Weights): Record<string, Tensor> =>
  Object.fromEntries(Object.entries(w).map(([name, t]) => [name, copy(t)]));

/**
 * A trainer whose state lives on the host and whose every step is made of the pure operations: t from
 * sampleTimesteps(seed, 2k), the noise from `noise`(seed, 2k + 1), L_simple's gradients, clipping and EMA here
 * (src/equations), and one adamStep per parameter tensor. For backends that answer the pure operations but keep no
 * state between calls (a program over the process protocol, src/process/training.ts).
 */
export async function hostTrainer(
  ops: PureTrainingOperations,
  noise: (shape: readonly number[], seed: number, stream: number) => Promise<Tensor>,
  model: ModelSpec,
  schedule: ScheduleTables,
  state: TrainerState,
  options: TrainOptions,
): Promise<Trainer> {
  checkTrainerStart(model, state, options);
  const names = architectureOf(model)
    .parameters(model)
    .map((p) => p.name);
  let step = state.step;
  const params = copyAll(state.params);
  const m = copyAll(state.m);
  const v = copyAll(state.v);
  const ema = options.emaDecay === undefined ? undefined : copyAll(state.ema ?? state.params);
  return {
    async step(x0, given) {
      const n = checkItems(model, x0, 'x0');
      const next = nextStep(step);
      const t = await ops.sampleTimesteps(n, schedule.T, options.seed, 2 * next);
      const labels = given && droppedLabels(model, checkLabels(model, given, n), options, next);
      const eps = await noise(x0.shape, options.seed, 2 * next + 1);
      const { loss, gradients } = await ops.lossAndGradients({
        model,
        weights: params,
        schedule,
        x0,
        t,
        noise: eps,
        labels,
      });
      let squares = 0;
      for (const name of names) for (const g of gradients[name].data) squares += g * g;
      const gradNorm = Math.sqrt(squares);
      const scale = options.clipGradNorm === undefined ? 1 : clipScale(gradNorm, options.clipGradNorm);
      for (const name of names) {
        const g = gradients[name];
        const grad = scale === 1 ? g : { shape: g.shape, data: Float64Array.from(g.data, (x) => x * scale) };
        const updated = await ops.adamStep({
          param: params[name],
          grad,
          m: m[name],
          v: v[name],
          step: next,
          hyper: options.adam,
        });
        params[name] = updated.param;
        m[name] = updated.m;
        v[name] = updated.v;
        if (ema) {
          const e = emaCoefficients(options.emaDecay!, next);
          const p = updated.param.data;
          ema[name] = {
            shape: updated.param.shape,
            data: Float64Array.from(ema[name].data, (x, i) => e.ema * x + e.param * p[i]),
          };
        }
      }
      step = next;
      return { step, loss, t, labels, noise: eps, gradNorm };
    },
    async state() {
      return { step, params: copyAll(params), m: copyAll(m), v: copyAll(v), ema: ema && copyAll(ema) };
    },
    dispose() {},
  };
}
