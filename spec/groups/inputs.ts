// Bad input: every operation rejects invalid arguments with an error that names the field, never a silent NaN.
// (The contract in src/contract/backend.ts: timesteps are integers 1..T, tensors finite and of matching shapes, eta in
// [0, 1], seeds integers in 0..2^53 - 1.)
import type { DiffusionBackend } from '../../src/contract/backend.js';
import { SEED_SCHEDULE } from '../../src/schedule/spec.js';
import { defineGroup } from '../../src/speckit/check.js';
import { type Tensor, tensor } from '../../src/tensor.js';

const x = (shape: number[], fill = 0.5): Tensor =>
  tensor(shape, new Float64Array(shape.reduce((a, b) => a * b, 1)).fill(fill));

/** One invalid call and the field its error must name. */
interface BadCall {
  what: string;
  field: string;
  call(b: DiffusionBackend): Promise<unknown>;
}

async function badCalls(b: DiffusionBackend): Promise<BadCall[]> {
  const schedule = await b.schedule(SEED_SCHEDULE);
  const shape = [2, 3];
  const withNaN = x(shape);
  (withNaN.data as Float64Array)[4] = NaN;
  const loop = { schedule, shape, seed: 1, model: (xt: Tensor) => xt };
  const ddim = { schedule, xt: x(shape), t: [5, 5], tPrev: [4, 4], modelOutput: x(shape) };
  return [
    { what: 't = 0', field: 't', call: () => b.qSample({ schedule, x0: x(shape), noise: x(shape), t: [0, 1] }) },
    {
      what: 't = T + 1',
      field: 't',
      call: () => b.forwardStep({ schedule, xPrev: x(shape), noise: x(shape), t: [1, 101] }),
    },
    {
      what: 'non-integer t',
      field: 't',
      call: () => b.qPosterior({ schedule, x0: x(shape), xt: x(shape), t: [1.5, 2] }),
    },
    {
      what: 'one t for a batch of two',
      field: 't',
      call: () => b.qSample({ schedule, x0: x(shape), noise: x(shape), t: [3] }),
    },
    { what: 'NaN in x0', field: 'x0', call: () => b.qSample({ schedule, x0: withNaN, noise: x(shape), t: [1, 2] }) },
    {
      what: 'noise of another shape',
      field: 'noise',
      call: () => b.qSample({ schedule, x0: x(shape), noise: x([2, 4]), t: [1, 2] }),
    },
    {
      what: 'unknown option',
      field: 'guidance',
      call: () =>
        b.pMeanVariance({
          schedule,
          xt: x(shape),
          t: [2, 3],
          modelOutput: x(shape),
          options: { guidance: 2 } as never,
        }),
    },
    {
      what: 'unknown prediction type',
      field: 'prediction',
      call: () =>
        b.pMeanVariance({
          schedule,
          xt: x(shape),
          t: [2, 3],
          modelOutput: x(shape),
          options: { prediction: 'epsilon' as never },
        }),
    },
    {
      what: 'learned_range without 2C channels',
      field: 'modelOutput',
      call: () =>
        b.pMeanVariance({
          schedule,
          xt: x(shape),
          t: [2, 3],
          modelOutput: x(shape),
          options: { variance: 'learned_range' },
        }),
    },
    {
      what: 'DDIM tPrev not below t',
      field: 'tPrev',
      call: () => b.ddimStep({ schedule, xt: x(shape), t: [5, 5], tPrev: [5, 4], modelOutput: x(shape) }),
    },
    {
      what: 'DDIM eta > 0 without noise',
      field: 'noise',
      call: () =>
        b.ddimStep({ schedule, xt: x(shape), t: [5, 5], tPrev: [4, 4], modelOutput: x(shape), options: { eta: 1 } }),
    },
    {
      what: 'DDIM eta > 1 (sqrt(1 - ab_{t-1} - sigma^2) would be imaginary)',
      field: 'eta',
      call: () => b.ddimStep({ ...ddim, noise: x(shape), options: { eta: 1.5 } }),
    },
    { what: 'eta NaN', field: 'eta', call: () => b.sampleDdim({ ...loop, timesteps: [2], options: { eta: NaN } }) },
    { what: 'negative seed', field: 'seed', call: () => b.forwardChain({ schedule, x0: x(shape), t: 2, seed: -1 }) },
    { what: 'seed 2^53 (not exact in a double)', field: 'seed', call: () => b.sampleDdpm({ ...loop, seed: 2 ** 53 }) },
    { what: 'non-integer seed', field: 'seed', call: () => b.sampleDdim({ ...loop, seed: 0.5, timesteps: [2, 1] }) },
    {
      what: 'DDIM reverse step with eta > 0',
      field: 'eta',
      call: () =>
        b.ddimReverseStep({
          schedule,
          xt: x(shape),
          t: [4, 4],
          tNext: [5, 5],
          modelOutput: x(shape),
          options: { eta: 0.5 },
        }),
    },
    { what: 'beta = 1', field: 'betas', call: () => b.schedule({ betas: [0.5, 1] }) },
    { what: 'T = 0', field: 'T', call: () => b.schedule({ kind: 'linear', T: 0, betaStart: 1e-4, betaEnd: 0.02 }) },
    { what: 'embedding dim 0', field: 'dim', call: () => b.timestepEmbedding({ t: [1], dim: 0 }) },
    {
      what: 'a model that returns NaN',
      field: 'model output',
      call: () =>
        b.sampleDdpm({
          schedule,
          shape,
          seed: 1,
          model: (xt) => ({ shape: xt.shape, data: new Float64Array(xt.data.length).fill(NaN) }),
        }),
    },
  ];
}

export const inputsGroup = defineGroup('inputs', 'Bad input is rejected with an error naming the field', [
  {
    name: 'invalid arguments throw an error that names the field',
    kind: 'exact',
    equation: 'op(invalid) throws Error(message mentioning the field)',
    source: 'diffspec contract (src/contract/backend.ts)',
    requires: ['schedule', 'forward', 'reverse', 'sampling', 'embedding'],
    async run(backend, ctx) {
      for (const bad of await badCalls(backend)) {
        let error: unknown;
        let result: unknown;
        try {
          result = await bad.call(backend);
        } catch (e) {
          error = e;
        }
        if (error === undefined)
          ctx.fail(
            `${bad.what}: accepted, returned ${JSON.stringify(result)?.slice(0, 100)}; expected an error naming ${bad.field}`,
          );
        const message = error instanceof Error ? error.message : String(error);
        if (!message.includes(bad.field))
          ctx.fail(`${bad.what}: the error "${message}" does not name the field ${bad.field}`);
      }
    },
  },
]);
