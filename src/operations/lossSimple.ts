import type { Timesteps } from '../contract/types.js';
import { scoped } from '../pipeline/scope.js';
import { checkBatch, checkLike, checkTimesteps } from '../pipeline/validate.js';
import type { ScheduleTables } from '../schedule/tables.js';
import { meanSquaredErrorRoundings } from '../speckit/tolerance.js';
import { sizeOf, type Tensor, tensor } from '../tensor.js';
import { defineOperation } from './operation.js';

export interface LossSimpleArgs {
  schedule: ScheduleTables;
  x0: Tensor;
  noise: Tensor;
  t: Timesteps;
  modelOutput: Tensor;
}
export interface LossResult {
  perSample: Tensor;
  loss: number;
}

/** L_simple = mean_n mean_i (e - eps_theta)^2, per sample and over the batch (Ho et al. 2020, eq. 14). */
export const lossSimple = defineOperation<LossSimpleArgs, LossResult>()({
  method: 'lossSimple',
  caseName: 'loss_simple',
  capability: 'loss',
  fields: { schedule: 'schedule', x0: 'tensor', noise: 'tensor', t: 'timesteps', modelOutput: 'tensor' },
  validate(args: LossSimpleArgs, conventions) {
    const n = checkBatch('x0', args.x0);
    checkLike('noise', args.noise, args.x0, 'x0');
    checkLike('modelOutput', args.modelOutput, args.x0, 'x0');
    checkTimesteps('t', args.t, args.schedule, n, conventions);
    return { ...args, n };
  },
  async compose(k, { noise, modelOutput, n }) {
    const perSample = await scoped(k, async (track) =>
      k.meanSquaredErrorPerSample(track(await k.upload(noise)), track(await k.upload(modelOutput))),
    );
    let sum = 0;
    for (const v of perSample) sum += v;
    return { perSample: tensor([n], perSample), loss: sum / n };
  },
  results: ['perSample', 'loss'],
  caseOutputs: (r) => ({ perSample: Array.from(r.perSample.data), loss: r.loss }),
  compare: {
    label: 'lossSimple per sample',
    roundings: (_p, i) => meanSquaredErrorRoundings(sizeOf(i.shape) / i.shape[0]),
    output: 'perSample',
    args: (s, i) => ({ schedule: s, x0: i.x0, noise: i.noise, t: i.t, modelOutput: i.modelOutput }),
  },
});
