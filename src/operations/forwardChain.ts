import { forwardStepCoefficients } from '../equations/forward.js';
import { requireInput } from '../errors.js';
import { normalNoise } from '../pipeline/scope.js';
import { checkBatch } from '../pipeline/validate.js';
import { checkSeed } from '../random/gaussian.js';
import type { ScheduleTables } from '../schedule/tables.js';
import { loopRoundings, ROUNDINGS } from '../speckit/tolerance.js';
import type { Tensor } from '../tensor.js';
import { defineOperation } from './operation.js';

export interface ForwardChainArgs {
  schedule: ScheduleTables;
  x0: Tensor;
  t: number;
  seed: number;
  recordAt?: readonly number[];
}
export interface ForwardChainResult {
  xt: Tensor;
  recorded: { t: number; x: Tensor }[];
}

/** t forward steps from x_0, the step to t drawing noise stream t; x is recorded (downloaded) at `recordAt`. */
export const forwardChain = defineOperation<ForwardChainArgs, ForwardChainResult>()({
  method: 'forwardChain',
  caseName: { unsupported: 'a backend may draw its own noise, so no output is expected of it value by value' },
  capability: 'forward',
  fields: { schedule: 'schedule', x0: 'tensor', t: 'integer', seed: 'integer', recordAt: 'optional integers' },
  validate(args: ForwardChainArgs) {
    const { schedule: s, t, recordAt = [] } = args;
    const n = checkBatch('x0', args.x0);
    checkSeed(args.seed);
    const inRange = (v: number, hi: number) => Number.isInteger(v) && v >= 0 && v <= hi;
    requireInput(inRange(t, s.T), 't', `must be an integer in 0..${s.T}, got ${JSON.stringify(t)}`);
    recordAt.forEach((r, i) => {
      requireInput(inRange(r, t), `recordAt[${i}]`, `must be an integer in 0..${t}, got ${JSON.stringify(r)}`);
    });
    return { ...args, recordAt, n };
  },
  async compose(k, { schedule: s, x0, t, seed, recordAt, n }) {
    const recorded: { t: number; x: Tensor }[] = [];
    let x = await k.upload(x0);
    try {
      if (recordAt.includes(0)) recorded.push({ t: 0, x: await k.download(x) });
      for (let step = 1; step <= t; step++) {
        const c = forwardStepCoefficients(s.betas[step]);
        const z = await normalNoise(k, x0.shape, seed, step);
        const terms = [
          { x, coef: new Float64Array(n).fill(c.signal) },
          { x: z, coef: new Float64Array(n).fill(c.noise) },
        ];
        const next = await Promise.resolve(k.linear(terms)).finally(() => k.dispose(z));
        k.dispose(x);
        x = next;
        if (recordAt.includes(step)) recorded.push({ t: step, x: await k.download(x) });
      }
      return { xt: await k.download(x), recorded };
    } finally {
      k.dispose(x);
    }
  },
  results: ['xt', 'recorded'],
  compare: {
    label: 'forwardChain',
    drawsNoise: true,
    loop: true,
    output: 'xt',
    roundings: (_p, i) => loopRoundings(i.steps, ROUNDINGS.forwardStep),
    args: (s, i) => ({ schedule: s, x0: i.x0, t: i.steps, seed: i.seed }),
  },
});
