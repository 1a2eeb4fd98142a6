import type { TensorKernels } from '../contract/kernels.js';
import type { DenoiserModel, DeviceDenoiser } from '../contract/types.js';
import { backendTimestep } from '../conventions/timesteps.js';
import type { ScheduleTables } from '../schedule/tables.js';
import type { Tensor } from '../tensor.js';
import { type Prediction, predict } from './reverse.js';
import { normalNoise, scopedHandle, type Track } from './scope.js';
import { checkModelOutput, type ResolvedOptions } from './validate.js';

/** What every sampling loop is given, validated. */
export interface SamplingRun {
  schedule: ScheduleTables;
  shape: readonly number[];
  model: DenoiserModel;
  seed: number;
  options: ResolvedOptions;
}

/** One step of a loop: from the prediction at x_t (t = timesteps[index]) to the next x, which outlives the step. */
export type SamplingStep<H> = (track: Track<H>, p: Prediction<H>, t: Int32Array, index: number) => Promise<H>;

/**
 * The sampling loop, written once (improved-diffusion's p_sample_loop_progressive): x_T ~ N(0, I) from noise stream 0,
 * then at each of `timesteps` (descending, the paper's; the model gets them in the profile's indexing) the model's
 * output at x_t, its prediction and the loop's own step. The loops differ only in their steps, which draw the noise
 * of timestep t from stream t. A model that runs on these kernels (DenoiserModel.onDevice) is called on x_t where it
 * lies, and its output is read back for the checks only after the step is recorded: a deferred engine (backends/ort)
 * then computes the model and the step as one graph.
 */
export async function sampleLoop<H>(
  k: TensorKernels<H>,
  run: SamplingRun,
  timesteps: readonly number[],
  step: SamplingStep<H>,
): Promise<Tensor> {
  const { schedule, shape, model, seed, options } = run;
  const onDevice = model.onDevice?.kernels === k ? (model.onDevice as DeviceDenoiser<H>) : undefined;
  let x: H = await normalNoise(k, shape, seed, 0);
  try {
    for (let i = 0; i < timesteps.length; i++) {
      const t = new Int32Array(shape[0]).fill(timesteps[i]);
      const modelT = t.map((ti) => backendTimestep(ti, options.conventions));
      const out = onDevice ? await onDevice.run(x, shape, modelT) : await hostModelOutput(k, model, x, modelT, options);
      const current = x;
      let next: H | undefined;
      // The step's own handles are disposed with its scope; the output is the loop's until it is checked.
      try {
        next = await scopedHandle(k, async (track) => {
          const p = await predict(k, track, schedule, current, shape, t, out, options);
          return step(track, p, t, i);
        });
        if (onDevice) checkModelOutput('model output', await k.download(out), { shape }, options.variance);
      } catch (e) {
        if (next !== undefined) k.dispose(next);
        throw e;
      } finally {
        if (out !== next) k.dispose(out);
      }
      k.dispose(x);
      x = next;
    }
    return await k.download(x);
  } finally {
    k.dispose(x);
  }
}

/** A host model's output at x_t, checked, on the device. */
async function hostModelOutput<H>(
  k: TensorKernels<H>,
  model: DenoiserModel,
  x: H,
  t: Int32Array,
  options: ResolvedOptions,
): Promise<H> {
  const xHost = await k.download(x);
  const out = await model(xHost, t);
  checkModelOutput('model output', out, xHost, options.variance);
  return k.upload(out);
}
