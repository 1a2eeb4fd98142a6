// An ONNX denoiser from elsewhere, driven by each backend's sampling loops: the file `diffspec conformance
// --model-onnx FILE` names (DIFFSPEC_MODEL_ONNX), or without one diffspec's simple-conv exported to ONNX
// (backends/ort/export.ts). The model runs on ONNX Runtime in float32 (backends/ort/onnxDenoiser.ts), as an eps
// prediction. The spec records every call a loop makes (x_t, t, output) and checks each step against the float64
// step from that step's own x_t and model output, so each bound is one step's roundings, however the network
// amplifies earlier differences:
//   x_{t-1} = c1 x0^ + c2 x_t + [t > 1] sigma_t z_t, x0^ = (x_t - sqrt(1 - ab_t) eps) / sqrt(ab_t)
//     (Ho et al. 2020, Algorithm 2, eqs. 4 and 7; sigma_t^2 = beta~_t)
//   x_{t'} = sqrt(ab_{t'}) x0^ + sqrt(1 - ab_{t'} - s^2) eps + s z_t   (Song et al. 2021, eq. 12)
import { readFileSync } from 'node:fs';
import { exportDenoiser } from '../../backends/ort/export.js';
import { loadOnnxDenoiser } from '../../backends/ort/onnxDenoiser.js';
import { evenTimesteps } from '../../src/compare/operations.js';
import type { DenoiserModel, DiffusionBackend } from '../../src/contract/backend.js';
import { initialWeights } from '../../src/models/init.js';
import type { ModelSpec } from '../../src/models/spec.js';
import { SEED_SCHEDULE } from '../../src/schedule/spec.js';
import { scheduleTables } from '../../src/schedule/tables.js';
import { defineGroup } from '../../src/speckit/check.js';
import { atT, combine, type Expected } from '../../src/speckit/combination.js';
import type { SpecContext } from '../../src/speckit/context.js';
import { MODEL_ONNX_ENV } from '../../src/speckit/model-onnx.js';
import { roundingsFor } from '../../src/speckit/tolerance.js';
import { type Tensor, tensor } from '../../src/tensor.js';
import { ddimCoefficients, expectedPosteriorMean, expectedX0 } from '../support/reverse.js';

/** The denoiser without --model-onnx: simple-conv at the PyTorch fixture's layout, exported with seeded weights. */
const DEFAULT_MODEL: ModelSpec = { architecture: 'simple-conv', channels: 3, height: 8, width: 8 };
const TABLES = scheduleTables(SEED_SCHEDULE);
const BATCH = 2;
const DDIM_STEPS = 10;

let loaded: Promise<{ model: DenoiserModel; shape: number[] }> | undefined;

/** The denoiser (loaded once per process) and the shape [N, ...item] the loops sample. */
function denoiser(ctx: SpecContext): Promise<{ model: DenoiserModel; shape: number[] }> {
  loaded ??= (async () => {
    const path = process.env[MODEL_ONNX_ENV];
    const bytes = path
      ? readFileSync(path)
      : await exportDenoiser(DEFAULT_MODEL, initialWeights(DEFAULT_MODEL, 1), TABLES.T);
    const { model, signature } = await loadOnnxDenoiser(bytes, path ?? 'the exported simple-conv');
    if (!signature.itemShape) throw new Error(`${path}: input ${signature.x} must have fixed item dimensions`);
    return { model, shape: [BATCH, ...signature.itemShape] };
  })();
  return loaded.catch((e: Error) => ctx.fail(`the ONNX denoiser did not load: ${e.message}`));
}

interface Call {
  x: Float64Array;
  t: Int32Array;
  out: Float64Array;
}

/** The model, recording every call a loop makes. */
function recording(model: DenoiserModel) {
  const calls: Call[] = [];
  const recorded: DenoiserModel = async (x, t) => {
    const out = await model(x, t);
    calls.push({ x: Float64Array.from(x.data), t: Int32Array.from(t), out: Float64Array.from(out.data) });
    return out;
  };
  return { calls, recorded };
}

const exact = (x: ArrayLike<number>): Expected => ({
  value: Float64Array.from(x),
  scale: Float64Array.from(x, Math.abs),
  floor: new Float64Array(x.length).fill(1),
});

/** The loop called the model at exactly the timesteps asked for, in order, and first at x_T = randomNormal(seed, 0). */
async function expectCalls(
  ctx: SpecContext,
  backend: DiffusionBackend,
  calls: Call[],
  timesteps: readonly number[],
  shape: number[],
  seed: number,
) {
  const called = calls.map((c) => (c.t.every((u) => u === c.t[0]) ? c.t[0] : `[${c.t.join(' ')}]`));
  if (called.join() !== timesteps.join())
    ctx.fail(`the loop called the model at t = ${called.join(', ')}; expected ${timesteps.join(', ')}`);
  const z = exact((await backend.randomNormal({ shape, seed, stream: 0 })).data);
  ctx.expectClose({ what: 'x_T, the first model input', actual: tensor(shape, calls[0].x), ...expectation(z), shape });
}

const expectation = (e: Expected) => ({ expected: e.value, scale: e.scale, floor: e.floor, roundings: 0 });

/** Each step's output (the next model input, then the loop's result) against the float64 step from its inputs. */
function expectSteps(
  ctx: SpecContext,
  calls: Call[],
  result: Tensor,
  shape: number[],
  roundings: number,
  step: (call: Call, t: number[], index: number) => Expected,
) {
  calls.forEach((call, i) => {
    const t = Array.from(call.t);
    const next = calls[i + 1]?.x ?? result.data;
    const e = step(call, t, i);
    const what = i + 1 < calls.length ? `x after the step at t = ${t[0]}` : 'the result';
    ctx.expectClose({ what, actual: tensor(shape, next), ...expectation(e), roundings, shape });
  });
}

export const denoiserGroup = defineGroup(
  'denoiser',
  "An ONNX denoiser from elsewhere (--model-onnx) driven by the backend's sampling loops",
  [
    {
      name: 'the ONNX denoiser gives an output of the shape of x_t that changes with t',
      kind: 'exact',
      equation: 'eps(x_t, t) has the shape of x_t, is finite, and eps(x, 1) != eps(x, T)',
      source: 'Ho et al. 2020, sec. 3.2 (the model eps_theta(x_t, t))',
      requires: ['random'],
      async run(backend, ctx) {
        const { model, shape } = await denoiser(ctx);
        const x = await backend.randomNormal({ shape, seed: ctx.subSeed(0), stream: 0 });
        const at = (t: number) => model(x, new Int32Array(shape[0]).fill(t));
        const [first, last] = [await at(1), await at(TABLES.T)];
        for (const [t, out] of [
          [1, first],
          [TABLES.T, last],
        ] as const) {
          ctx.expectShape(`output at t = ${t}`, out, shape);
          const bad = out.data.findIndex((v) => !Number.isFinite(v));
          if (bad >= 0) ctx.fail(`output at t = ${t}: element ${bad} is ${out.data[bad]}`);
        }
        if (first.data.every((v, i) => v === last.data[i]))
          ctx.fail(`the output at t = 1 equals the output at t = ${TABLES.T}: the model ignores its timestep`);
      },
    },
    {
      name: "every step of sampleDdpm with the ONNX denoiser is the float64 DDPM step from that step's x_t and output",
      kind: 'exact',
      equation:
        'x_T = z_0; x_{t-1} = c1 x0^ + c2 x_t + [t > 1] sqrt(beta~_t) z_t, x0^ = (x_t - sqrt(1 - ab_t) eps) / ' +
        'sqrt(ab_t), eps = model(x_t, t), z_t = randomNormal(seed, stream t), t = T..1',
      source: 'Ho et al. 2020, Algorithm 2 and eqs. 4 and 7',
      requires: ['sampling', 'random'],
      reads: ['sampleDdpm.x0'],
      async run(backend, ctx) {
        const { model, shape } = await denoiser(ctx);
        const schedule = await backend.schedule(SEED_SCHEDULE);
        const seed = ctx.subSeed(1);
        const { calls, recorded } = recording(model);
        const result = await backend.sampleDdpm({ schedule, shape, model: recorded, seed });
        const timesteps = Array.from({ length: TABLES.T }, (_, i) => TABLES.T - i);
        await expectCalls(ctx, backend, calls, timesteps, shape, seed);
        const noises = new Map<number, Expected>();
        for (const t of timesteps.filter((u) => u > 1))
          noises.set(t, exact((await backend.randomNormal({ shape, seed, stream: t })).data));
        expectSteps(ctx, calls, result, shape, roundingsFor('ddpmStep', backend.precision), (call, t) => {
          const mean = expectedPosteriorMean(TABLES, t, expectedX0('eps', TABLES, t, call.x, call.out), call.x);
          if (t[0] === 1) return mean;
          const sigma = atT(t, (u) => Math.sqrt(TABLES.posteriorVariance[u]));
          return combine(t.length, [
            { coef: atT(t, () => 1), x: mean },
            { coef: sigma, x: noises.get(t[0])! },
          ]);
        });
      },
    },
    {
      name: "every step of sampleDdim with the ONNX denoiser is the float64 DDIM step from that step's x_t and output",
      kind: 'exact',
      equation:
        "x_T = z_0; x_{t'} = sqrt(ab_{t'}) x0^ + sqrt(1 - ab_{t'} - s^2) eps + s z_t, eps = model(x_t, t), for eta 0 " +
        "and 1 over evenly respaced timesteps, the last step to t' = 0",
      source: 'Song et al. 2021, eqs. 12 and 16',
      requires: ['sampling', 'random'],
      reads: ['sampleDdim.x0'],
      async run(backend, ctx) {
        const { model, shape } = await denoiser(ctx);
        const schedule = await backend.schedule(SEED_SCHEDULE);
        const timesteps = evenTimesteps(TABLES.T, DDIM_STEPS);
        for (const [k, eta] of [0, 1].entries()) {
          const seed = ctx.subSeed(2 + k);
          const { calls, recorded } = recording(model);
          const options = { eta };
          const result = await backend.sampleDdim({ schedule, shape, model: recorded, seed, timesteps, options });
          await expectCalls(ctx, backend, calls, timesteps, shape, seed);
          const noises = new Map<number, Expected>();
          for (const t of timesteps)
            noises.set(t, exact((await backend.randomNormal({ shape, seed, stream: t })).data));
          expectSteps(ctx, calls, result, shape, roundingsFor('ddimStep', backend.precision), (call, t, i) => {
            const c = ddimCoefficients(TABLES, t[0], timesteps[i + 1] ?? 0, eta, ctx.conventions);
            const terms = [
              { coef: atT(t, () => c.x0), x: expectedX0('eps', TABLES, t, call.x, call.out) },
              { coef: atT(t, () => c.eps), x: call.out },
            ];
            if (c.noise > 0) terms.push({ coef: atT(t, () => c.noise), x: noises.get(t[0])! });
            return combine(t.length, terms);
          });
        }
      },
    },
  ],
);
