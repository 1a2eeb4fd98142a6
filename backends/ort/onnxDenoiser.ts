import type { DenoiserModel } from '../../src/contract/backend.js';
import { requireInput } from '../../src/errors.js';
import { sizeOf, type Tensor } from '../../src/tensor.js';
import { loadRuntime, type OrtVariant } from './runtime.js';

/** The timestep input's element types an ONNX denoiser may declare. */
const TIMESTEP_TYPES = ['int64', 'int32', 'float32'] as const;
type TimestepType = (typeof TIMESTEP_TYPES)[number];

export interface OnnxDenoiser {
  /** The model as the sampling loops call it. */
  model: DenoiserModel;
  /** The names and types read from the model: what the loader took as x, t and the output; x's fixed item shape. */
  signature: { x: string; t: string; tType: TimestepType; output: string; itemShape?: number[] };
  /** The ONNX Runtime package that runs it. */
  runtime: string;
  dispose(): Promise<void>;
}

/**
 * A denoiser from elsewhere (PyTorch's torch.onnx.export, another framework) as the sampling loops and the
 * conformance runner call a model. The layout it must have:
 * - input 0: x_t, float32, NCHW [N, C, H, W] for images or [N, D] for points;
 * - input 1: the timesteps t in 1..T (the paper's, not divided by T), shape [N], int64, int32 or float32;
 * - output 0: the model's prediction (eps, x0 or v, as the sampler is told), float32, x_t's shape (twice the
 *   channels for a learned variance).
 * Names are free; the batch dimension may be dynamic.
 */
export async function loadOnnxDenoiser(bytes: Uint8Array, field = 'model'): Promise<OnnxDenoiser> {
  const runtime = await firstRuntime();
  let session: Awaited<ReturnType<typeof runtime.createSession>>;
  try {
    session = await runtime.createSession(bytes);
  } catch (e) {
    requireInput(
      false,
      field,
      `is not an ONNX model ONNX Runtime can load: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`,
    );
    throw e;
  }
  const [x, t] = session.inputMetadata;
  requireInput(
    session.inputMetadata.length === 2 && x.isTensor && t.isTensor,
    field,
    `must have two tensor inputs (x_t and t), has ${session.inputNames.join(', ')}`,
  );
  requireInput(
    x.isTensor && x.type === 'float32',
    `${field} input ${x.name}`,
    `must be float32 (x_t), is ${x.isTensor ? x.type : 'not a tensor'}`,
  );
  const tType = (t.isTensor ? t.type : undefined) as TimestepType;
  requireInput(
    TIMESTEP_TYPES.includes(tType),
    `${field} input ${t.name}`,
    `must be int64, int32 or float32 (the timesteps t), is ${tType}`,
  );
  const output = session.outputNames[0];
  const dims = x.isTensor ? x.shape.slice(1) : [];
  const itemShape = dims.every((d): d is number => typeof d === 'number') ? dims : undefined;
  const model: DenoiserModel = async (xt: Tensor, ts: Int32Array) => {
    const timesteps =
      tType === 'int64'
        ? new runtime.Tensor('int64', BigInt64Array.from(ts, BigInt), [ts.length])
        : new runtime.Tensor(tType, tType === 'int32' ? Int32Array.from(ts) : Float32Array.from(ts), [ts.length]);
    const results = await session.run({
      [x.name]: new runtime.Tensor('float32', Float32Array.from(xt.data), [...xt.shape]),
      [t.name]: timesteps,
    });
    const out = results[output];
    requireInput(
      out.type === 'float32' && out.data.length % xt.shape[0] === 0,
      `${field} output ${output}`,
      `must be float32 with one row per batch item, got ${out.type} [${out.dims.join(', ')}]`,
    );
    requireInput(
      sizeOf(out.dims) === out.data.length,
      `${field} output ${output}`,
      'has a shape that disagrees with its data',
    );
    return { shape: [...out.dims], data: Float32Array.from(out.data as Float32Array) };
  };
  return {
    model,
    signature: { x: x.name, t: t.name, tType, output, ...(itemShape ? { itemShape } : {}) },
    runtime: `${runtime.facts.package} ${runtime.facts.version}`,
    dispose: () => session.release(),
  };
}

/** onnxruntime-node, or onnxruntime-web where the native package does not load. */
async function firstRuntime() {
  const reasons: string[] = [];
  for (const variant of ['node', 'wasm'] as OrtVariant[]) {
    try {
      return await loadRuntime(variant);
    } catch (e) {
      reasons.push(e instanceof Error ? e.message : String(e));
    }
  }
  throw new Error(`no ONNX Runtime package loads here: ${reasons.join('; ')}`);
}
