// The stored results of the architectures benchmark, one JSON file per model next to its sample grid
// (docs/architectures/<model>.json): the expensive trained rows and the cheap timing rows are kept apart, so that
// `--timings-only` re-measures the cheap rows (on the backends present now) and keeps the trained ones.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../src/io/atomic.js';
import type { ModelSpec } from '../src/models/spec.js';
import { packageRoot } from '../src/paths.js';

export const RESULTS_DIR = join(packageRoot(), 'docs', 'architectures');

/** Wall seconds on a shared machine, and CPU seconds of the process. */
export interface Seconds {
  wall: number;
  cpu: number;
}

/** Median and range of repeated measurements. */
export interface Spread {
  median: number;
  min: number;
  max: number;
  repeats: number;
}

/** Wall and CPU times of the same repetitions. */
export interface TimedSpread {
  wall: Spread;
  cpu: Spread;
}

/** How the trained rows were made: a stored row is only reused for the same model and the same recipe. */
export interface TrainingRecipe {
  backend: string;
  size: number;
  steps: number;
  batch: number;
  learningRate: number;
  emaDecay: number;
  clipGradNorm: number;
  pUncond: number;
  seed: number;
}

/** Bits/dim per image summarised: the mean (as `median`), the range and the standard error of the mean. */
export type Bound = Spread & { standardError: number };

/** The bound with sigma_t^2 = beta_t (improved-diffusion's default for fixed variances) and with beta~_t. */
export interface Bounds {
  fixedLarge: Bound;
  fixedSmall: Bound;
}

export interface TrainedRows {
  model: ModelSpec;
  recipe: TrainingRecipe;
  /** Held-out L_simple with the null class (all models) and with the true classes (class-conditional models). */
  heldOutLoss: { unconditional: number; conditional?: number };
  /** Bits/dim under each fixed variance, as heldOutLoss. */
  bitsPerDim: { unconditional: Bounds; conditional?: Bounds };
  /** Of the training alone; wall time on a shared machine, CPU time of this process. */
  trainSeconds: Seconds;
  /** Of everything this model's trained rows took (training, evaluation, sample grid). */
  totalSeconds: Seconds;
}

/**
 * A log-log slope of step time: of the per-size median CPU times, the median and range over the repeated sweeps (CPU
 * time), and of the median wall times.
 */
export interface Exponent {
  ofMedians: number;
  sweeps: Spread;
  wallOfMedians: number;
  /** The x values (resolution or width factor) and the median seconds of each. */
  points: { x: number; cpuSeconds: number; wallSeconds: number }[];
}

export interface TimingRows {
  model: ModelSpec;
  parameters: number;
  forwardFlops: number;
  /** Per backend: training-step milliseconds and DDIM sampling samples per second, of wall and of CPU time. */
  backends: Record<string, { stepMs: TimedSpread; samplesPerSecond: TimedSpread }>;
  /** Backends without the 'architectures' capability, or not available here, with the reason. */
  skipped: Record<string, string>;
  /** The backend of the exponents. */
  scalingBackend: string;
  resolutionExponent: Exponent;
  widthExponent?: Exponent;
  totalSeconds: Seconds;
}

/** The measurement settings the report describes (the constants of bench/models.ts). */
export interface BenchSettings {
  stepBatch: number;
  throughput: { samples: number; steps: number };
  scaling: { batch: number; sweeps: number; resolutions: number[]; widths: number[] };
  heldOut: number;
  boundImages: number;
  guidance: number;
  gridPerClass: number;
}

export interface ModelResults {
  trained?: TrainedRows;
  timings?: TimingRows;
}

const resultsPath = (name: string) => join(RESULTS_DIR, `${name}.json`);

export async function loadResults(name: string): Promise<ModelResults> {
  const path = resultsPath(name);
  return existsSync(path) ? (JSON.parse(await readFile(path, 'utf8')) as ModelResults) : {};
}

/** Replaces the given parts of a model's stored results, keeping the others. */
export async function storeResults(name: string, update: ModelResults): Promise<void> {
  const merged = { ...(await loadResults(name)), ...update };
  await writeFileAtomic(resultsPath(name), `${JSON.stringify(merged, null, 2)}\n`);
}
