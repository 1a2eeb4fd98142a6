import type { Weights } from '../../src/contract/training.js';
import { requireInput } from '../../src/errors.js';
import { Graph } from '../../src/models/graph.js';
import { runNetwork } from '../../src/models/network.js';
import { architectureOf, type ModelSpec } from '../../src/models/spec.js';
import { checkWeights } from '../../src/models/weights.js';
import { type Deferred, DeferredEngine } from './deferred.js';
import { ortKernels } from './kernels.js';
import { encodeModel, type OnnxInitializer, type OnnxNode, type OnnxValue } from './onnx.js';
import { loadRuntime } from './runtime.js';

/** The names of the exported model's inputs and output, and its dynamic batch dimension. */
const EXPORT_NAMES = { x: 'x', t: 't', output: 'eps', batch: 'N' } as const;

/** Two batches of timesteps the forward pass is traced with: every time input must follow t across both. */
const TRACES = [Int32Array.of(1, 2), Int32Array.of(3, 7)];

/**
 * A model's denoiser as a standalone ONNX model (opset OPSET): the architecture's forward pass (src/models) traced on
 * the deferred engine, the weights as initializers named as in the state_dict. Inputs x float32 [N, ...item] and
 * t int64 [N] (1..T); output eps float32 [N, ...item]; N is dynamic. An architecture computes its time inputs on
 * the host (simple-conv's t / T channel, the MLP's embedding arguments): the pass is traced twice, with different
 * timesteps, and every graph input that changes must equal float32(t / D) for one whole D >= 1 in both traces; it
 * becomes Cast(t) / D in the graph. An architecture whose time inputs are anything else is refused.
 */
export async function exportDenoiser(model: ModelSpec, weights: Weights, T: number): Promise<Uint8Array> {
  checkWeights(model, weights);
  const engine = new DeferredEngine(await loadRuntime('node').catch(() => loadRuntime('wasm')));
  const kernels = ortKernels(engine);
  const item = architectureOf(model).itemShape(model);
  const params = new Map<string, Deferred>();
  for (const [name, w] of Object.entries(weights)) params.set(name, kernels.upload(w) as Deferred);
  const traces = [];
  for (const t of TRACES) {
    const shape = [t.length, ...item];
    const x = kernels.upload({ shape, data: new Float32Array(t.length * item.reduce((a, b) => a * b, 1)) }) as Deferred;
    const out = await runNetwork(new Graph(kernels, kernels.training!, false), model, params, x, shape, t, T);
    traces.push({ ...engine.trace([out.h]), x, t });
  }
  const [first, second] = traces;
  requireInput(
    first.key === second.key,
    'model',
    'traces to different graphs at different timesteps: its forward pass branches on t',
  );
  const names = new Map([...params].map(([name, d]) => [d, name]));
  const prefix: OnnxNode[] = [{ op: 'Cast', inputs: [EXPORT_NAMES.t], output: 't_float', attributes: { to: 1 } }];
  const initializers: OnnxInitializer[] = [...first.graph.initializers];
  const rename = new Map<string, string>();
  first.sources.forEach((source, i) => {
    const input = first.graph.inputs[i].name;
    const parameter = names.get(source);
    if (parameter !== undefined) {
      rename.set(input, parameter);
      initializers.push({
        name: parameter,
        type: 'float32',
        shape: source.shape,
        data: Float32Array.from(weights[parameter].data),
      });
    } else if (source === first.x) {
      rename.set(input, EXPORT_NAMES.x);
    } else {
      const a = first.feeds[input].data as Float32Array;
      const b = second.feeds[input].data as Float32Array;
      if (a.every((v, k) => v === b[k])) {
        requireInput(
          source.shape[0] !== first.t.length || first.t.length === 1,
          'model',
          `has a constant input of shape [${source.shape}] that depends on the batch size`,
        );
        initializers.push({ name: input, type: 'float32', shape: source.shape, data: Float32Array.from(a) });
        return;
      }
      const divisor = timeDivisor(a, first.t) ?? NaN;
      requireInput(
        timeDivisor(b, second.t) === divisor,
        'model',
        `has a time input of shape [${source.shape}] that is not t / D for a whole D`,
      );
      const scaled = `${input}_t`;
      initializers.push({ name: `${input}_divisor`, type: 'float32', shape: [], data: Float32Array.of(divisor) });
      initializers.push({
        name: `${input}_shape`,
        type: 'int64',
        shape: [source.shape.length],
        data: BigInt64Array.from([-1n, ...source.shape.slice(1).map(BigInt)]),
      });
      prefix.push(
        { op: 'Div', inputs: ['t_float', `${input}_divisor`], output: scaled },
        { op: 'Reshape', inputs: [scaled, `${input}_shape`], output: input },
      );
    }
  });
  const nodes = first.graph.nodes.map((n) => ({
    ...n,
    inputs: n.inputs.map((name) => rename.get(name) ?? name),
    output: n.output === 'y0' ? EXPORT_NAMES.output : n.output,
  }));
  const dynamic = (shape: readonly number[]): OnnxValue['shape'] => [EXPORT_NAMES.batch, ...shape.slice(1)];
  for (const d of [...params.values(), first.x, second.x]) kernels.dispose(d);
  return encodeModel(
    {
      nodes: [...prefix, ...nodes],
      inputs: [
        { name: EXPORT_NAMES.x, type: 'float32', shape: dynamic(first.x.shape) },
        { name: EXPORT_NAMES.t, type: 'int64', shape: [EXPORT_NAMES.batch] },
      ],
      outputs: [
        { name: EXPORT_NAMES.output, type: 'float32', shape: dynamic(first.graph.outputs[0].shape as number[]) },
      ],
      initializers,
    },
    `diffspec ${model.architecture}`,
  );
}

/** The whole D >= 1 with data[k] = float32(t[n] / D) for every element k of batch row n, if there is one. */
function timeDivisor(data: Float32Array, t: Int32Array): number | undefined {
  const perRow = data.length / t.length;
  const divisor = Math.round(t[0] / data[0]);
  if (!(divisor >= 1)) return undefined;
  return data.every((v, k) => v === Math.fround(t[Math.floor(k / perRow)] / divisor)) ? divisor : undefined;
}
