// Loads TensorFlow.js and one of its engines on demand. Nothing here is imported until a tfjs backend is
// asked whether it is available or created, so registering the backends costs nothing at start-up
// (importing @tensorflow/tfjs alone takes about 0.4 s).

import { sharedLoads } from '../../src/shared-loads.js';
import { registerWasmConv2dBackpropFilter } from './conv2dBackpropFilter.js';
import { registerWasmConv2dBackpropInput } from './conv2dBackpropInput.js';
import type { LoadedEngine, TF, TfjsVariant } from './types.js';
import { registerWasmSamePaddingFix } from './wasmSamePadding.js';

/** The tfjs engine ("backend" in TensorFlow.js's own words) each variant runs on. */
const ENGINE_OF: Record<TfjsVariant, string> = { node: 'tensorflow', wasm: 'wasm', cpu: 'cpu' };

/** A variable, not a literal, so the type checker does not require the optional package to be installed. */
const TFJS_NODE: string = '@tensorflow/tfjs-node';

let tfModule: Promise<TF> | undefined;
function loadTf(): Promise<TF> {
  tfModule ??= import('@tensorflow/tfjs').then((tf) => {
    // The cpu engine prints a banner recommending tfjs-node on its first tensor; diffspec reports the engine itself.
    const cpu = tf.findBackend('cpu') as { firstUse?: boolean } | null;
    if (cpu && 'firstUse' in cpu) cpu.firstUse = false;
    return tf;
  });
  return tfModule;
}

/**
 * The wasm engine's Emscripten glue adds process handlers that rethrow any uncaught exception or unhandled
 * rejection, which would turn one failing check into a crashed test worker; the host's own handlers stay.
 */
async function withoutRethrowingHandlers<R>(fn: () => Promise<R>): Promise<R> {
  const exceptionHandlers = new Set(process.listeners('uncaughtException'));
  const rejectionHandlers = new Set(process.listeners('unhandledRejection'));
  try {
    return await fn();
  } finally {
    for (const h of process.listeners('uncaughtException'))
      if (!exceptionHandlers.has(h)) process.removeListener('uncaughtException', h);
    for (const h of process.listeners('unhandledRejection'))
      if (!rejectionHandlers.has(h)) process.removeListener('unhandledRejection', h);
  }
}

async function initialise(tf: TF, engine: string): Promise<void> {
  const ok = await tf.setBackend(engine);
  if (!ok || tf.getBackend() !== engine) throw new Error(`TensorFlow.js could not initialise its ${engine} engine`);
}

async function load(variant: TfjsVariant): Promise<LoadedEngine> {
  const engine = ENGINE_OF[variant];
  if (variant === 'node') {
    try {
      await import(TFJS_NODE);
    } catch (e) {
      throw new Error(
        `@tensorflow/tfjs-node (an optional dependency) is not installed or its native library did not load: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`,
      );
    }
  }
  const tf = await loadTf();
  if (variant === 'wasm') {
    await import('@tensorflow/tfjs-backend-wasm');
    await withoutRethrowingHandlers(() => initialise(tf, engine));
    registerWasmSamePaddingFix(tf);
    registerWasmConv2dBackpropFilter(tf);
    registerWasmConv2dBackpropInput(tf);
  } else {
    await initialise(tf, engine);
  }
  const facts: Record<string, string> = { engine, dtype: 'float32', tfjs: tf.version.tfjs };
  if (variant === 'wasm') {
    facts.simd = String(tf.env().getBool('WASM_HAS_SIMD_SUPPORT'));
    facts.threads = String(tf.env().getBool('WASM_HAS_MULTITHREAD_SUPPORT'));
  }
  return { tf, variant, engine, facts };
}

/**
 * Loads TensorFlow.js with the variant's engine initialised;
 * repeated calls share one load. A failed load is retried next time.
 */
export const loadEngine: (variant: TfjsVariant) => Promise<LoadedEngine> = sharedLoads(load);

/**
 * TensorFlow.js has one global engine with one active backend. Several tfjs variants may live in one
 * process (the spec run selects tfjs:wasm and tfjs:cpu together), so every kernel first makes its own
 * engine the active one. The engine is already initialised, so tf.setBackend switches synchronously;
 * the check after it makes sure of that instead of trusting it.
 */
export function activate(tf: TF, engine: string): void {
  if (tf.getBackend() === engine) return;
  tf.setBackend(engine).catch(() => undefined);
  if (tf.getBackend() !== engine)
    throw new Error(`could not switch TensorFlow.js to its ${engine} engine (active: ${tf.getBackend()})`);
}
