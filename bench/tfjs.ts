// Speed of the TensorFlow.js backend on each of its engines, as ratios against a baseline measured in the
// same run (plain JavaScript axpy, o[i] = a x[i] + b y[i], on Float64Array: at this machine's copy bound),
// so numbers from different machines and runs compare. Run: npx tsx bench/tfjs.ts [--sizes 1e6,1e7] [--engines wasm,cpu]
import { pathToFileURL } from 'node:url';
import type { Tensor, Tensor4D } from '@tensorflow/tfjs';
import '../backends/index.js';
import { loadEngine, type TfjsVariant } from '../backends/tfjs/engines.js';
import { tfjsKernels } from '../backends/tfjs/kernels.js';
import { resolveBackend } from '../src/contract/registry.js';
import { gaussianValues } from '../src/random/gaussian.js';
import { DDPM_SCHEDULE } from '../src/schedule/spec.js';
import { tensor } from '../src/tensor.js';

export interface TfjsBenchRow {
  /** What was timed, e.g. "q_sample (contract)". */
  op: string;
  /** tfjs:wasm, tfjs:cpu, ... or "baseline". */
  backend: string;
  elements: number;
  /** Median seconds per call. */
  seconds: number;
  elementsPerSecond: number;
  /** seconds / the same-run baseline's seconds for the same number of elements (1 = as fast as axpy). */
  ratioToBaseline: number;
  note?: string;
}

export interface TfjsBenchOptions {
  sizes?: number[];
  engines?: TfjsVariant[];
  /** Timed calls per measurement; the median is kept. */
  repeats?: number;
  /** Forward-chain steps per call. */
  chainSteps?: number;
  /** Runs the conv step on the cpu engine too (minutes: ~15 s per call). */
  convOnCpuEngine?: boolean;
  log?: (row: TfjsBenchRow) => void;
}

async function median(repeats: number, fn: () => unknown | Promise<unknown>): Promise<number> {
  await fn(); // warm-up: engine kernels compile/allocate on first use
  const times: number[] = [];
  for (let r = 0; r < repeats; r++) {
    const start = performance.now();
    await fn();
    times.push((performance.now() - start) / 1000);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

/** The same-run baseline: o = a x + b y over Float64Array, the copy-bound operation q_sample is. */
async function axpySeconds(n: number, repeats: number): Promise<number> {
  const x = gaussianValues(1, 1, n);
  const y = gaussianValues(1, 2, n);
  const o = new Float64Array(n);
  return median(repeats, () => {
    for (let i = 0; i < n; i++) o[i] = 0.6 * x[i] + 0.8 * y[i];
  });
}

/** One 3x3 convolution, 64 -> 64 channels, 'same', batch 8 at 32x32 (NHWC): forward and both gradients. */
const CONV = { n: 8, h: 32, w: 32, c: 64 };
const CONV_FLOPS = 3 * 2 * CONV.n * CONV.h * CONV.w * CONV.c * CONV.c * 9; // forward + input and filter gradients

/** Measures q_sample and the forward chain (through the contract and on device-resident tensors) and the conv step on each engine. */
export async function benchTfjs(options: TfjsBenchOptions = {}): Promise<TfjsBenchRow[]> {
  const { sizes = [1e6, 1e7], engines = ['node', 'wasm', 'cpu'], repeats = 5, chainSteps = 5, convOnCpuEngine = false, log = () => {} } = options;
  const rows: TfjsBenchRow[] = [];
  const emit = (row: TfjsBenchRow) => {
    rows.push(row);
    log(row);
  };
  const baselines = new Map<number, number>();
  for (const n of sizes) {
    const s = await axpySeconds(n, repeats);
    baselines.set(n, s);
    emit({ op: 'axpy Float64Array (plain JS)', backend: 'baseline', elements: n, seconds: s, elementsPerSecond: n / s, ratioToBaseline: 1 });
  }
  const axpyPerElement = Math.min(...[...baselines].map(([n, s]) => s / n));

  for (const variant of engines) {
    const name = `tfjs:${variant}`;
    const resolved = await resolveBackend(name);
    if ('skipped' in resolved) {
      emit({ op: 'all', backend: name, elements: 0, seconds: NaN, elementsPerSecond: NaN, ratioToBaseline: NaN, note: `skipped: ${resolved.skipped}` });
      continue;
    }
    const backend = resolved.backend;
    const loaded = await loadEngine(variant);
    const { tf } = loaded;
    const k = tfjsKernels(loaded);
    const schedule = await backend.schedule(DDPM_SCHEDULE);
    for (const n of sizes) {
      const baseline = baselines.get(n)!;
      const row = (op: string, seconds: number, note?: string) =>
        emit({ op, backend: name, elements: n, seconds, elementsPerSecond: n / seconds, ratioToBaseline: seconds / baseline, note });
      const shape = [4, n / 4];
      const x0 = tensor(shape, gaussianValues(2, 1, n));
      const noise = tensor(shape, gaussianValues(2, 2, n));
      const t = [10, 200, 500, 1000];
      row('q_sample (contract: upload, combine, download)', await median(repeats, () => backend.qSample({ schedule, x0, noise, t })));
      // The combination alone, on tensors already on the device: what a model-side caller pays per step.
      const [xd, nd] = [k.upload(x0), k.upload(noise)];
      const c = t.map((ti) => Math.sqrt(schedule.alphaBar[ti]));
      const d = t.map((ti) => Math.sqrt(schedule.oneMinusAlphaBar[ti]));
      const onDevice = await median(repeats, () => {
        const out = k.linear([{ x: xd, coef: Float64Array.from(c) }, { x: nd, coef: Float64Array.from(d) }]);
        out.dataSync(); // wait for the engine to finish
        out.dispose();
      });
      [xd, nd].forEach((h) => h.dispose());
      row('q_sample (device-resident kernel)', onDevice);
      const chain = await median(Math.max(1, Math.floor(repeats / 2)), () => backend.forwardChain({ schedule, x0, t: chainSteps, seed: 7 }));
      row(`forward chain, per step (${chainSteps} steps, own noise)`, chain / chainSteps, 'includes tf.randomNormal, which draws on the host in JavaScript');
    }
    if (variant !== 'cpu' || convOnCpuEngine) {
      await tf.setBackend(loaded.engine);
      const x = tf.randomNormal([CONV.n, CONV.h, CONV.w, CONV.c]) as Tensor4D;
      const w = tf.mul(tf.randomNormal([3, 3, CONV.c, CONV.c]), 0.05) as Tensor4D;
      // tf.tidy walks whatever its callback returns looking for tensors: return nothing, not the data.
      const forwardOnly = await median(repeats, () => tf.tidy(() => void tf.conv2d(x, w, 1, 'same').dataSync()));
      const step = await median(repeats, () =>
        tf.tidy(() => {
          const grads = tf.grads((xi: Tensor, wi: Tensor) => tf.mean(tf.square(tf.conv2d(xi as Tensor4D, wi as Tensor4D, 1, 'same'))))([x, w]);
          grads.forEach((g) => g.dataSync());
        }),
      );
      x.dispose();
      w.dispose();
      const convElements = CONV.n * CONV.h * CONV.w * CONV.c;
      const baseline = axpyPerElement * convElements;
      emit({ op: 'conv 3x3 64->64, batch 8, 32x32: forward', backend: name, elements: convElements, seconds: forwardOnly, elementsPerSecond: convElements / forwardOnly, ratioToBaseline: forwardOnly / baseline, note: `${((CONV_FLOPS / 3 / forwardOnly) * 1e-9).toFixed(1)} GFLOP/s` });
      emit({ op: 'conv 3x3 64->64, batch 8, 32x32: forward + backward', backend: name, elements: convElements, seconds: step, elementsPerSecond: convElements / step, ratioToBaseline: step / baseline, note: `${((CONV_FLOPS / step) * 1e-9).toFixed(1)} GFLOP/s; ${(step / forwardOnly).toFixed(2)}x forward` });
    }
  }
  return rows;
}

function parseList(args: string[], flag: string): string[] | undefined {
  const i = args.indexOf(flag);
  return i >= 0 && args[i + 1] ? args[i + 1].split(',') : undefined;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const args = process.argv.slice(2);
  const sizes = parseList(args, '--sizes')?.map(Number);
  const engines = parseList(args, '--engines') as TfjsVariant[] | undefined;
  const format = (r: TfjsBenchRow) =>
    r.note?.startsWith('skipped')
      ? `${r.backend.padEnd(10)} ${r.note}`
      : `${r.backend.padEnd(10)} ${r.op.padEnd(56)} n=${r.elements.toExponential(1)}  ${(r.seconds * 1e3).toFixed(2).padStart(9)} ms  ${(r.elementsPerSecond / 1e9).toFixed(3)} Gelem/s  x${r.ratioToBaseline.toFixed(2)} axpy${r.note ? `  (${r.note})` : ''}`;
  await benchTfjs({ sizes, engines, convOnCpuEngine: args.includes('--conv-on-cpu-engine'), log: (r) => console.log(format(r)) });
}
