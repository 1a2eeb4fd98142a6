import { requireInput } from '../errors.js';
import type { Graph, Value } from './graph.js';

/** One parameter tensor: its name (as in a PyTorch state_dict), shape and fan-in (for initialisation). */
export interface ParameterSpec {
  name: string;
  shape: number[];
  fanIn: number;
  /** Uniform(+-1/sqrt(fanIn)) unless 'ones' (a norm's scale) or 'zeros' (a norm's shift, adaLN-Zero's gates). */
  init?: 'ones' | 'zeros';
}

/**
 * A network architecture, written once on the Graph's kernels: every backend that implements
 * TrainingKernels runs it forwards and backwards. Each architecture is one file in src/models.
 */
/** What a spec field accepts: an integer >= 1, an integer >= 0, or one of a list of names. */
type FieldKind = 'positive' | 'count' | readonly string[];

export interface Architecture<S> {
  /** The spec's fields besides `architecture`, and what each accepts (parseModelSpec reads this table). */
  readonly fields: Readonly<Record<string, FieldKind>>;
  /** The default spec for data items of this shape ([C, H, W] images, [D] points); an input error if they don't fit. */
  defaultSpec(architecture: string, itemShape: readonly number[]): S;
  /** Constraints between fields (sizes that must divide), each error naming its field. */
  check?(spec: S, field: string): void;
  parameters(spec: S): ParameterSpec[];
  /** The shape of one data item (without the batch dimension). */
  itemShape(spec: S): number[];
  /**
   * eps_theta(x, t) for timesteps t in 1..T; `labels` (class-conditional models: 0..classes, `classes` the null
   * class) is absent for the others.
   */
  forward<H>(
    g: Graph<H>,
    spec: S,
    parameter: (name: string) => Value<H>,
    x: Value<H>,
    t: Int32Array,
    T: number,
    labels?: Int32Array,
  ): Promise<Value<H>>;
}

/** [C, H, W] items, or an input error naming the architecture. */
export function imageItems(
  architecture: string,
  itemShape: readonly number[],
): {
  channels: number;
  height: number;
  width: number;
} {
  requireInput(
    itemShape.length === 3,
    'data',
    `${architecture} needs images ([N, C, H, W] data), got items of shape [${itemShape.join(', ')}]`,
  );
  return { channels: itemShape[0], height: itemShape[1], width: itemShape[2] };
}
