// Loads one of the two ONNX Runtime packages on demand: nothing is imported until an ort backend is asked
// whether it is available or created, so registering the backends costs nothing at start-up.
import type { InferenceSession, Tensor as OrtTensor } from 'onnxruntime-node';
import { sharedLoads } from '../../src/shared-loads.js';

/** The variants of the ort family, by the name diffspec registers (ort:<variant>). */
export type OrtVariant = 'node' | 'wasm';

type OrtModule = typeof import('onnxruntime-node');

export interface OrtRuntime {
  variant: OrtVariant;
  Tensor: OrtModule['Tensor'];
  createSession(model: Uint8Array): Promise<InferenceSession>;
  /** Facts for reports: package, version, execution provider, threads. */
  facts: Record<string, string>;
}

export type { InferenceSession, OrtTensor };

/** One intra-op thread: the engines are compared with PyTorch on one thread, and the machines are shared. */
const THREADS = 1;

async function load(variant: OrtVariant): Promise<OrtRuntime> {
  let ort: OrtModule;
  try {
    ort = (variant === 'node' ? await import('onnxruntime-node') : await import('onnxruntime-web')) as OrtModule;
  } catch (e) {
    const reason = e instanceof Error ? e.message.split('\n')[0] : String(e);
    throw new Error(`onnxruntime-${variant === 'node' ? 'node' : 'web'} is not installed or did not load: ${reason}`);
  }
  const provider = variant === 'node' ? 'cpu' : 'wasm';
  if (variant === 'wasm') ort.env.wasm.numThreads = THREADS;
  const options: InferenceSession.SessionOptions = {
    executionProviders: [provider],
    intraOpNumThreads: THREADS,
    interOpNumThreads: 1,
    graphOptimizationLevel: 'all',
    logSeverityLevel: 3,
  };
  const runtime: OrtRuntime = {
    variant,
    Tensor: ort.Tensor,
    createSession: (model) => ort.InferenceSession.create(model, options),
    facts: {
      package: variant === 'node' ? 'onnxruntime-node' : 'onnxruntime-web',
      version: ort.env.versions.common ?? 'unknown',
      provider,
      threads: String(THREADS),
      dtype: 'float32',
    },
  };
  // A first session proves the native binding or the wasm module works here, not only that the package imports.
  const { encodeModel } = await import('./onnx.js');
  const x = { name: 'x', type: 'float32' as const, shape: [1] };
  const identity = {
    nodes: [{ op: 'Identity', inputs: ['x'], output: 'y' }],
    inputs: [x],
    outputs: [{ ...x, name: 'y' }],
    initializers: [],
  };
  await runtime.createSession(encodeModel(identity, 'probe'));
  return runtime;
}

/** Loads the variant's package; repeated calls share one load. A failed load is retried next time. */
export const loadRuntime: (variant: OrtVariant) => Promise<OrtRuntime> = sharedLoads(load);
