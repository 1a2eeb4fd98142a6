import type { DiffusionBackend } from '../contract/backend.js';
import { ALL_OPERATIONS } from '../operations/index.js';
import { sizeOf } from '../tensor.js';
import { SpecFailure } from './context.js';

/** Why a value that looks like a tensor is not a usable one, or undefined when it is. */
function tensorProblem(value: { shape: unknown; data: unknown }): string | undefined {
  const { shape, data } = value;
  if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d >= 0))
    return `has shape ${JSON.stringify(shape)}, not an array of non-negative integers`;
  if (!(data instanceof Float64Array || data instanceof Float32Array))
    return `has data of type ${Object.prototype.toString.call(data).slice(8, -1)}, not a Float64Array or Float32Array`;
  if (data.length !== sizeOf(shape)) return `has ${data.length} values for shape [${shape.join(', ')}]`;
  for (let i = 0; i < data.length; i++) if (!Number.isFinite(data[i])) return `holds ${data[i]} at data[${i}]`;
  return undefined;
}

/** Throws a SpecFailure naming the operation and the output path of the first unusable tensor in `result`. */
function checkOutputs(op: string, result: unknown, path: string): void {
  if (result === null || typeof result !== 'object') return;
  if (ArrayBuffer.isView(result)) return;
  if ('shape' in result && 'data' in result) {
    const problem = tensorProblem(result as { shape: unknown; data: unknown });
    if (problem) throw new SpecFailure(`${op}: ${path} ${problem}`);
    return;
  }
  if (Array.isArray(result)) result.forEach((x, i) => checkOutputs(op, x, `${path}[${i}]`));
  else for (const [k, v] of Object.entries(result)) checkOutputs(op, v, `${path}.${k}`);
}

/**
 * The operations of the table. Other members pass as they are: liveTensorCount must stay synchronous (the memory
 * group calls it inside models), and dispose returns nothing.
 */
const GUARDED = new Set<string | symbol>(ALL_OPERATIONS.map((op) => op.method));

/**
 * The backend as checks see it: every tensor an operation returns is checked (typed data, as many values as
 * its shape needs, all finite), so a backend that returns NaN or plain arrays fails with the operation named,
 * whatever the check would have done with the value. Schedule tables hold typed arrays, not tensors, and pass.
 */
export function guardOutputs(backend: DiffusionBackend): DiffusionBackend {
  return new Proxy(backend, {
    get(target, key, receiver) {
      const value = Reflect.get(target, key, receiver);
      if (typeof value !== 'function' || !GUARDED.has(key)) return value;
      return async (...args: unknown[]) => {
        const result = await value.apply(target, args);
        checkOutputs(`${backend.name}.${String(key)}`, result, 'output');
        return result;
      };
    },
  });
}
