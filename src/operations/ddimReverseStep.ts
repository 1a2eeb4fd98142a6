import type { Timesteps } from '../contract/types.js';
import { ddimReverseCoefficients } from '../equations/ddim.js';
import { requireInput } from '../errors.js';
import { predictUploaded } from '../pipeline/reverse.js';
import { scoped } from '../pipeline/scope.js';
import { checkReverse, checkTimesteps, type ReverseArgs } from '../pipeline/validate.js';
import { noiseLevel } from '../schedule/tables.js';
import { roundingsFor } from '../speckit/tolerance.js';
import type { Tensor } from '../tensor.js';
import { defineOperation } from './operation.js';

export interface DdimReverseStepArgs extends ReverseArgs {
  tNext: Timesteps;
}
export interface DdimReverseStepResult {
  next: Tensor;
}

/** Deterministic DDIM inversion x_t -> x_{tNext} (Song et al. 2021, eq. 12 with sigma = 0, run upwards). */
export const ddimReverseStep = defineOperation<DdimReverseStepArgs, DdimReverseStepResult>()({
  method: 'ddimReverseStep',
  caseName: 'ddim_reverse_step',
  capability: 'reverse',
  fields: {
    schedule: 'schedule',
    xt: 'tensor',
    t: 'timesteps',
    tNext: 'timesteps',
    modelOutput: 'tensor',
    options: 'reverse options',
  },
  validate(args: DdimReverseStepArgs, conventions) {
    const { n, t, o } = checkReverse(args, conventions);
    requireInput(o.eta === 0, 'options.eta', 'must be 0: only deterministic DDIM can be inverted');
    const tNext = checkTimesteps('tNext', args.tNext, args.schedule, n, conventions);
    tNext.forEach((tn, i) => {
      requireInput(tn > t[i], `tNext[${i}]`, `must be above t[${i}] = ${args.t[i]}, got ${args.tNext[i]}`);
    });
    return { ...args, t, o, tNext };
  },
  compose: (k, v) =>
    scoped(k, async (track) => {
      const p = await predictUploaded(k, track, v, v.t, v.o);
      const c = Array.from(v.tNext, (tn) => ddimReverseCoefficients(noiseLevel(v.schedule, tn)));
      const next = await k.linear([
        { x: p.predX0, coef: Float64Array.from(c, (ci) => ci.x0) },
        { x: await p.eps(), coef: Float64Array.from(c, (ci) => ci.eps) },
      ]);
      return { next: await k.download(track(next)) };
    }),
  results: ['next'],
  compare: {
    label: 'ddimReverseStep',
    roundings: (p) => roundingsFor('ddimReverseStep', p),
    output: 'next',
    args: (s, i) => ({
      schedule: s,
      xt: i.x0,
      t: i.tPrev.map((v) => Math.max(1, v)),
      tNext: i.t,
      modelOutput: i.modelOutput,
    }),
  },
});
