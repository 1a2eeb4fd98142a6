import type { Graph, Value } from './graph.js';
import { architectureOf, type ModelSpec } from './spec.js';

/** Runs the model's architecture on the graph, with its parameters given as handles by name (one leaf each). */
export function runNetwork<H>(
  g: Graph<H>,
  model: ModelSpec,
  params: ReadonlyMap<string, H>,
  x: H,
  shape: readonly number[],
  t: Int32Array,
  T: number,
  labels?: Int32Array,
): Promise<Value<H>> {
  const arch = architectureOf(model);
  const shapes = new Map(arch.parameters(model).map((p) => [p.name, p.shape]));
  const leaves = new Map<string, Value<H>>();
  const parameter = (name: string): Value<H> => {
    const known = leaves.get(name);
    if (known) return known;
    const leaf = g.leaf(params.get(name)!, shapes.get(name)!, name);
    leaves.set(name, leaf);
    return leaf;
  };
  return arch.forward(g, model, parameter, g.leaf(x, shape), t, T, labels);
}
