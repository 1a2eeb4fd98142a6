import {
  type AttributeValue,
  type ElementType,
  encodeModel,
  type OnnxGraph,
  type OnnxInitializer,
  type OnnxNode,
  type OnnxValue,
} from './onnx.js';
import type { InferenceSession, OrtRuntime, OrtTensor } from './runtime.js';

/** How a deferred value is computed: an operator of the ONNX standard domain applied to other values. */
interface Definition {
  op: string;
  inputs: readonly Deferred[];
  attributes?: Readonly<Record<string, AttributeValue>>;
}

/**
 * A tensor handle of the ort backends. A kernel call records an ONNX node and returns at once; values are
 * computed when the host reads one (download, a per-sample loss, a sum of squares). Then every value still
 * held by a caller is computed by ONE graph, compiled once per structure and cached, so a whole training
 * step (forward pass, L_simple, backward pass and Adam) runs as one ONNX Runtime call: the model
 * architectures and the equations are traced from their one implementation in src/, not written again.
 */
export class Deferred {
  /** The computed value, once known: an ort Tensor fed to later graphs as an input without a copy. */
  value?: OrtTensor;
  definition?: Definition;
  /** A fixed tensor written into the graph itself (an initializer), identified by `constantKey`. */
  constant?: OnnxInitializer['data'];
  constantKey?: string;
  /** A known value that never changes while held (a sampling model's weights): written into graphs as an initializer. */
  fixed?: number;

  constructor(
    readonly shape: readonly number[],
    readonly type: ElementType = 'float32',
  ) {}
}

/** Compiled graphs kept per structure; the least recently used is released beyond this many. */
const SESSION_CACHE_SIZE = 256;

/** Records deferred values and computes them, one cached ONNX graph per flush. */
export class DeferredEngine {
  /** Handles given out and not yet disposed: what a flush must compute and what liveTensorCount counts. */
  private readonly held = new Set<Deferred>();
  private readonly sessions = new Map<string, Promise<InferenceSession>>();
  private readonly constants = new Map<string, Deferred>();
  /** Flushes run one after another: a value a running flush computes is an input of the next. */
  private queue: Promise<void> = Promise.resolve();
  /** Graphs compiled and graphs run, for benchmarks. */
  readonly counts = { compiled: 0, runs: 0 };
  /** Called with every model compiled (the operator-definition test collects them). */
  onCompile?: (model: Uint8Array) => void;

  constructor(readonly runtime: OrtRuntime) {}

  /** A tensor from host data: an input of the graphs that use it. */
  input(data: Float32Array, shape: readonly number[]): Deferred {
    const d = new Deferred(shape);
    d.value = new this.runtime.Tensor('float32', data, [...shape]);
    return d;
  }

  private fixedCount = 0;

  /**
   * A tensor from host data that stays the same while held: graphs take it as an initializer, not an input, so
   * ONNX Runtime can pre-pack it (a convolution's weights); each such tensor makes graphs of its own.
   */
  fixedInput(data: Float32Array, shape: readonly number[]): Deferred {
    const d = this.input(data, shape);
    d.fixed = this.fixedCount++;
    return d;
  }

  /** A fixed tensor baked into the graph, shared by every graph that names the same key. */
  constant(key: string, data: Float32Array | BigInt64Array, shape: readonly number[]): Deferred {
    let d = this.constants.get(key);
    if (!d) {
      d = new Deferred(shape, data instanceof BigInt64Array ? 'int64' : 'float32');
      d.constant = data;
      d.constantKey = key;
      this.constants.set(key, d);
    }
    return d;
  }

  /** An int64 vector constant (shapes, axes, slice bounds). */
  ints(values: readonly number[]): Deferred {
    return this.constant(`i[${values.join(',')}]`, BigInt64Array.from(values, BigInt), [values.length]);
  }

  /** A float32 scalar constant of the graph (fixed numbers of an equation, not per-call data). */
  scalar(value: number): Deferred {
    return this.constant(`f${value}`, Float32Array.of(value), []);
  }

  op(
    op: string,
    inputs: readonly Deferred[],
    shape: readonly number[],
    attributes?: Definition['attributes'],
    type?: ElementType,
  ): Deferred {
    const d = new Deferred(shape, type);
    d.definition = { op, inputs, attributes };
    return d;
  }

  /** Gives d out as a handle: computed by the next flush unless disposed before it. */
  hold(d: Deferred): Deferred {
    this.held.add(d);
    return d;
  }

  dispose(d: Deferred): void {
    this.held.delete(d);
    if (d.fixed === undefined) return;
    // The graphs that hold it as an initializer are of no further use: released once the flushes queued now are done.
    const name = `=fixed${d.fixed};`;
    for (const [key, session] of this.sessions) {
      if (!key.includes(name)) continue;
      this.sessions.delete(key);
      void this.queue
        .then(() => session)
        .then((s) => s.release())
        .catch(() => undefined);
    }
  }

  heldCount(): number {
    return this.held.size;
  }

  /** The value of d, computing it (and every held value) now if it is not known yet. */
  async read(d: Deferred): Promise<OrtTensor> {
    if (!d.value) {
      const run = this.queue.then(() => this.flush(d));
      this.queue = run.catch(() => undefined);
      await run;
    }
    return d.value!;
  }

  private async flush(extra: Deferred): Promise<void> {
    const outputs = [...this.held].filter((d) => !d.value);
    if (!extra.value && !this.held.has(extra)) outputs.push(extra);
    if (outputs.length === 0) return;
    const { key, graph, feeds } = this.trace(outputs);
    const session = await this.session(key, graph);
    const results = await session.run(feeds);
    this.counts.runs++;
    outputs.forEach((d, i) => {
      d.value = results[`y${i}`];
      d.definition = undefined;
    });
  }

  /**
   * The graph that computes `outputs` from known values: its inputs x0, x1, ... (the values behind them in
   * `sources`, their data in `feeds`), outputs y0, y1, ..., and its structure as a cache key. Computes nothing.
   */
  trace(outputs: readonly Deferred[]) {
    const names = new Map<Deferred, string>();
    const nodes: OnnxNode[] = [];
    const graph = {
      nodes,
      inputs: [] as OnnxValue[],
      outputs: [] as OnnxValue[],
      initializers: [] as OnnxInitializer[],
    };
    const feeds: Record<string, OrtTensor> = {};
    /** The value behind each graph input, in order. */
    const sources: Deferred[] = [];
    const key: string[] = [];
    const visit = (root: Deferred): string => {
      // Iterative post-order: a deep network traces without deep recursion.
      const stack: [Deferred, boolean][] = [[root, false]];
      while (stack.length > 0) {
        const [d, expanded] = stack.pop()!;
        if (names.has(d)) continue;
        if (d.value && d.fixed !== undefined) {
          const name = `c${graph.initializers.length}`;
          const data = d.value.data as Float32Array;
          graph.initializers.push({ name, type: d.type, shape: d.shape, data });
          key.push(`${name}=fixed${d.fixed}`);
          names.set(d, name);
        } else if (d.value) {
          const name = `x${graph.inputs.length}`;
          graph.inputs.push({ name, type: d.type, shape: d.shape });
          feeds[name] = d.value;
          sources.push(d);
          key.push(`${name}:${d.type}[${d.shape}]`);
          names.set(d, name);
        } else if (d.constant) {
          const name = `c${graph.initializers.length}`;
          graph.initializers.push({ name, type: d.type, shape: d.shape, data: d.constant });
          key.push(`${name}=${d.constantKey}`);
          names.set(d, name);
        } else if (!expanded) {
          stack.push([d, true]);
          for (const input of d.definition!.inputs) if (!names.has(input)) stack.push([input, false]);
        } else {
          const { op, inputs, attributes } = d.definition!;
          const name = `n${nodes.length}`;
          nodes.push({ op, inputs: inputs.map((i) => names.get(i)!), output: name, attributes });
          key.push(
            `${name}=${op}${attributes ? JSON.stringify(attributes) : ''}` +
              `(${inputs.map((i) => names.get(i)).join(',')})[${d.shape}]`,
          );
          names.set(d, name);
        }
      }
      return names.get(root)!;
    };
    outputs.forEach((d, i) => {
      const source = visit(d);
      const name = `y${i}`;
      // An output must be a node's output of its own: an Identity when it is an input or a value output twice.
      nodes.push({ op: 'Identity', inputs: [source], output: name });
      graph.outputs.push({ name, type: d.type, shape: d.shape });
      key.push(`${name}=${source}`);
    });
    return { key: key.join(';'), graph, feeds, sources };
  }

  private session(key: string, graph: OnnxGraph): Promise<InferenceSession> {
    let s = this.sessions.get(key);
    if (s) {
      // Re-inserted: a Map iterates in insertion order, so the first entry is the least recently used.
      this.sessions.delete(key);
    } else {
      const model = encodeModel(graph, 'diffspec');
      this.onCompile?.(model);
      s = this.runtime.createSession(model);
      s.catch(() => this.sessions.delete(key));
      this.counts.compiled++;
      if (this.sessions.size >= SESSION_CACHE_SIZE) {
        const [oldest, old] = this.sessions.entries().next().value!;
        this.sessions.delete(oldest);
        void old.then((o) => o.release()).catch(() => undefined);
      }
    }
    this.sessions.set(key, s);
    return s;
  }
}
