// The TensorFlow.js backend on each of its engines: q_sample (through the contract, and as one device-resident
// kernel) and the forward chain against the same-process axpy bound (o[i] = a x[i] + b y[i], the reads and writes
// of q_sample), and one 3x3 64-channel convolution forward and backward, the layer a denoiser trains.
// `npm run bench` prints it; alone: npx tsx bench/tfjs.ts [--sizes 1e6,1e7] [--engines wasm,cpu] [--conv-on-cpu-engine]
import { pathToFileURL } from 'node:url';
import type { Tensor, Tensor4D } from '@tensorflow/tfjs';
import '../backends/index.js';
import { loadEngine } from '../backends/tfjs/engines.js';
import { tfjsKernels } from '../backends/tfjs/kernels.js';
import type { TfjsVariant } from '../backends/tfjs/types.js';
import { resolveBackend } from '../src/contract/registry.js';
import { gaussianTensor } from '../src/random/gaussian.js';
import { DDPM_SCHEDULE } from '../src/schedule/spec.js';
import { axpy } from './foundation.js';
import { type BenchRow, medianSeconds, printTable } from './timing.js';

export interface TfjsBenchOptions {
  sizes?: number[];
  engines?: TfjsVariant[];
  /** Forward-chain steps per call. */
  chainSteps?: number;
  /** The conv step on the cpu engine too: about 15 s per call. */
  convOnCpuEngine?: boolean;
}

const rate = (elements: number, seconds: number) => `${(elements / seconds / 1e9).toFixed(3)} G elem/s`;

/** One 3x3 convolution, 64 -> 64 channels, 'same', batch 8 at 32x32 (NHWC). */
const CONV = { n: 8, h: 32, w: 32, c: 64 };
const CONV_FORWARD_FLOPS = 2 * CONV.n * CONV.h * CONV.w * CONV.c * CONV.c * 9;

async function convRows(variant: TfjsVariant): Promise<BenchRow[]> {
  const { tf, engine } = await loadEngine(variant);
  await tf.setBackend(engine);
  const x = tf.randomNormal([CONV.n, CONV.h, CONV.w, CONV.c]) as Tensor4D;
  const w = tf.tidy(() => tf.mul(tf.randomNormal([3, 3, CONV.c, CONV.c]), 0.05)) as Tensor4D;
  // tf.tidy walks whatever its callback returns looking for tensors: return nothing, not the data.
  const forward = await medianSeconds(() => tf.tidy(() => void tf.conv2d(x, w, 1, 'same').dataSync()));
  const step = await medianSeconds(() =>
    tf.tidy(() =>
      tf
        .grads((xi: Tensor, wi: Tensor) => tf.mean(tf.square(tf.conv2d(xi as Tensor4D, wi as Tensor4D, 1, 'same'))))([
          x,
          w,
        ])
        .forEach((g) => g.dataSync()),
    ),
  );
  x.dispose();
  w.dispose();
  const size = `${CONV.n}x${CONV.h}x${CONV.w}x${CONV.c}`;
  const gflops = (flops: number, s: number) => `${((flops / s) * 1e-9).toFixed(1)} GFLOP/s`;
  return [
    {
      benchmark: `tfjs:${variant} conv 3x3 64->64, forward`,
      size,
      seconds: forward,
      rate: gflops(CONV_FORWARD_FLOPS, forward),
    },
    // Forward, input gradient and filter gradient: three convolutions' worth of arithmetic.
    {
      benchmark: `tfjs:${variant} conv 3x3 64->64, forward + backward`,
      size,
      seconds: step,
      rate: gflops(3 * CONV_FORWARD_FLOPS, step),
      ratio: step / forward,
      baseline: 'forward',
    },
  ];
}

export async function benchTfjs({
  sizes = [1e6, 1e7],
  engines = ['node', 'wasm', 'cpu'],
  chainSteps = 5,
  convOnCpuEngine = false,
}: TfjsBenchOptions = {}): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const bounds = new Map<number, number>();
  for (const n of sizes) {
    const [x, y] = [gaussianTensor([n], 1, 0).data as Float64Array, gaussianTensor([n], 1, 1).data as Float64Array];
    const out = new Float64Array(n);
    const bound = await medianSeconds(() => axpy(0.9, x, 0.1, y, out));
    bounds.set(n, bound);
    rows.push({ benchmark: 'axpy bound (same process)', size: `${n}`, seconds: bound, rate: rate(n, bound) });
  }
  for (const variant of engines) {
    const name = `tfjs:${variant}`;
    const resolved = await resolveBackend(name);
    if ('skipped' in resolved) {
      rows.push({ benchmark: name, size: '-', seconds: NaN, skipped: resolved.skipped });
      continue;
    }
    const backend = resolved.backend;
    const k = tfjsKernels(await loadEngine(variant));
    const schedule = await backend.schedule(DDPM_SCHEDULE);
    for (const n of sizes) {
      const bound = bounds.get(n)!;
      const shape = [4, n / 4];
      const x0 = gaussianTensor(shape, 2, 0);
      const noise = gaussianTensor(shape, 2, 1);
      const t = [10, 200, 500, 1000];
      const q = await medianSeconds(() => backend.qSample({ schedule, x0, noise, t }));
      rows.push({
        benchmark: `${name} q_sample (float64 in and out, validated)`,
        size: `${n}`,
        seconds: q,
        rate: rate(n, q),
        ratio: q / bound,
        baseline: 'axpy',
      });
      // The combination alone, on tensors already on the device: what a caller keeping data there pays.
      const [xd, nd] = [k.upload(x0), k.upload(noise)];
      const signal = Float64Array.from(t, (ti) => Math.sqrt(schedule.alphaBar[ti]));
      const scale = Float64Array.from(t, (ti) => Math.sqrt(schedule.oneMinusAlphaBar[ti]));
      const kernel = await medianSeconds(() => {
        const h = k.linear([
          { x: xd, coef: signal },
          { x: nd, coef: scale },
        ]);
        h.dataSync(); // waits for the engine
        h.dispose();
      });
      xd.dispose();
      nd.dispose();
      rows.push({
        benchmark: `${name} q_sample kernel, device-resident`,
        size: `${n}`,
        seconds: kernel,
        rate: rate(n, kernel),
        ratio: kernel / bound,
        baseline: 'axpy',
      });
      const chain = await medianSeconds(() => backend.forwardChain({ schedule, x0, t: chainSteps, seed: 7 }), 3);
      rows.push({
        benchmark: `${name} forward chain, ${chainSteps} steps (tf.randomNormal per step)`,
        size: `${n}`,
        seconds: chain,
        rate: rate(n * chainSteps, chain),
        ratio: chain / (chainSteps * bound),
        baseline: `${chainSteps} axpy`,
      });
    }
    if (variant !== 'cpu' || convOnCpuEngine) rows.push(...(await convRows(variant)));
  }
  return rows;
}

function listFlag(args: string[], flag: string): string[] | undefined {
  const i = args.indexOf(flag);
  return i >= 0 && args[i + 1] ? args[i + 1].split(',') : undefined;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const args = process.argv.slice(2);
  const rows = await benchTfjs({
    sizes: listFlag(args, '--sizes')?.map(Number),
    engines: listFlag(args, '--engines') as TfjsVariant[] | undefined,
    convOnCpuEngine: args.includes('--conv-on-cpu-engine'),
  });
  printTable('TensorFlow.js backend vs the axpy memory bound', rows);
}
