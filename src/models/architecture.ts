import type { Graph, Value } from './graph.js';

/** One parameter tensor: its name (as in a PyTorch state_dict), shape and fan-in (for initialisation). */
export interface ParameterSpec {
  name: string;
  shape: number[];
  fanIn: number;
}

/**
 * A network architecture, written once on the Graph's kernels: every backend that implements
 * TrainingKernels runs it forwards and backwards. Each architecture is one file in src/models.
 */
export interface Architecture<S> {
  parameters(spec: S): ParameterSpec[];
  /** The shape of one data item (without the batch dimension). */
  itemShape(spec: S): number[];
  /** eps_theta(x, t) for timesteps t in 1..T. */
  forward<H>(g: Graph<H>, spec: S, parameter: (name: string) => Value<H>, x: Value<H>, t: Int32Array, T: number): Promise<Value<H>>;
}
