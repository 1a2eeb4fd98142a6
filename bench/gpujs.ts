// GPU.js backends per mode, side by side, against the same-run axpy bound of bench/foundation.ts: q_sample and the
// forward chain through the contract, and a chain of linear kernels on tensors uploaded once, kept on the device
// (headlessgl textures, webgpu storage buffers) or copied through host arrays between kernels, which is the
// difference residency makes.
//   npx tsx bench/gpujs.ts [--steps=N] [elements ...]       (headlessgl needs an X server: xvfb-run -a)
import { pathToFileURL } from 'node:url';
import { cpuBackend } from '../backends/cpu/index.js';
import { createGpujsBackend, openGpujsKernels } from '../backends/gpujs/index.js';
import type { GpujsMode } from '../backends/gpujs/types.js';
import type { DiffusionBackend } from '../src/contract/backend.js';
import { resolveBackend } from '../src/contract/registry.js';
import { gaussianTensor } from '../src/random/gaussian.js';
import { DDPM_SCHEDULE } from '../src/schedule/spec.js';
import { scheduleTables } from '../src/schedule/tables.js';
import { axpy, elementRate } from './foundation.js';
import { type BenchRow, medianSeconds, printTable } from './timing.js';

export interface GpujsBenchOptions {
  /** Modes to run; unavailable ones come back in `skipped` with the reason. Default: all four. */
  modes?: readonly GpujsMode[];
  /** Elements per tensor. Default: 1e6. */
  sizes?: readonly number[];
  /** Steps of the forward chains. Default: 10. */
  steps?: number;
}

export interface GpujsBenchResult {
  rows: BenchRow[];
  skipped: { backend: string; reason: string }[];
}

const BATCH = 8;

export async function benchGpujs({
  modes = ['cpu', 'webasm', 'headlessgl', 'webgpu'],
  sizes = [1e6],
  steps = 10,
}: GpujsBenchOptions = {}): Promise<GpujsBenchResult> {
  const schedule = scheduleTables(DDPM_SCHEDULE);
  const rows: BenchRow[] = [];
  const skipped: GpujsBenchResult['skipped'] = [];
  const available: GpujsMode[] = [];
  for (const mode of modes) {
    const r = await resolveBackend(`gpujs:${mode}`);
    if ('skipped' in r) {
      skipped.push({ backend: `gpujs:${mode}`, reason: r.skipped });
    } else {
      available.push(mode);
      await r.backend.dispose?.();
    }
  }

  for (const n of sizes) {
    const shape = [BATCH, n / BATCH];
    const x0 = gaussianTensor(shape, 1, 1);
    const noise = gaussianTensor(shape, 1, 2);
    const t = [1, 10, 100, 200, 400, 600, 800, 1000];
    const out = new Float64Array(n);
    const bound = await medianSeconds(() => axpy(0.9, x0.data as Float64Array, 0.1, noise.data as Float64Array, out));
    rows.push({ benchmark: 'axpy bound (same process)', size: `${n}`, seconds: bound, rate: elementRate(n, bound) });
    const row = (benchmark: string, seconds: number, perStep = 1) =>
      rows.push({
        benchmark,
        size: `${n}`,
        seconds,
        rate: elementRate(n * perStep, seconds),
        ratio: seconds / (perStep * bound),
        baseline: perStep === 1 ? 'axpy' : `${perStep} axpy`,
      });

    const contractRows = async (name: string, backend: DiffusionBackend) => {
      row(`${name} q_sample`, await medianSeconds(() => backend.qSample({ schedule, x0, noise, t }), 3));
      row(
        `${name} forward chain, ${steps} steps (noise drawn on the host per step)`,
        await medianSeconds(() => backend.forwardChain({ schedule, x0, t: steps, seed: 3 }), 3),
        steps,
      );
    };
    await contractRows('cpu (float64 reference)', cpuBackend);
    for (const mode of available) {
      const name = `gpujs:${mode}`;
      const backend = await createGpujsBackend(mode);
      try {
        await contractRows(name, backend);
      } finally {
        await backend.dispose?.();
      }
      for (const resident of mode === 'headlessgl' || mode === 'webgpu' ? [true, false] : [false]) {
        const { kernels: k, close } = await openGpujsKernels(mode, resident);
        const signal = new Float64Array(BATCH).fill(Math.sqrt(1 - 0.02));
        const scale = new Float64Array(BATCH).fill(Math.sqrt(0.02));
        try {
          const seconds = await medianSeconds(async () => {
            let x = await k.upload(x0);
            const z = await k.upload(noise);
            for (let s = 0; s < steps; s++) {
              const next = await k.linear([
                { x, coef: signal },
                { x: z, coef: scale },
              ]);
              k.dispose(x);
              x = next;
            }
            await k.download(x);
            k.dispose(x);
            k.dispose(z);
          }, 3);
          row(
            `${name} ${steps} linear kernels, tensors ${resident ? 'kept on the device' : 'copied through host arrays'}`,
            seconds,
            steps,
          );
        } finally {
          await close();
        }
      }
    }
  }
  return { rows, skipped };
}

/** Prints the GPU.js tables (as `npm run bench` does) and the modes that could not run. */
export async function printGpujsBench(options: GpujsBenchOptions = {}): Promise<void> {
  const { rows, skipped } = await benchGpujs(options);
  printTable('GPU.js backends per mode vs the axpy memory bound', rows);
  for (const s of skipped) console.log(`\nskipped ${s.backend}: ${s.reason}`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const args = process.argv.slice(2);
  const steps = Number(args.find((a) => a.startsWith('--steps='))?.slice('--steps='.length) ?? 10);
  const sizes = args.filter((a) => !a.startsWith('--')).map(Number);
  await printGpujsBench({ sizes: sizes.length > 0 ? sizes : [1e6], steps });
}
