// Types shared by the TensorFlow.js backend files, kept apart so that the engine loader (engines.ts) and the
// kernel patches it registers (conv2dBackprop*.ts, wasmSamePadding.ts) do not import each other.

export type TF = typeof import('@tensorflow/tfjs');

/** The variants of the tfjs family, by the name diffspec registers (tfjs:<variant>). */
export type TfjsVariant = 'node' | 'wasm' | 'cpu';

export interface LoadedEngine {
  tf: TF;
  variant: TfjsVariant;
  engine: string;
  /** Facts for reports: engine, library version, SIMD/threads where they apply. */
  facts: Record<string, string>;
}
