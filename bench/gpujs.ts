// Speed of the GPU.js backends per mode, side by side, as ratios against a same-run baseline: the axpy
// o[i] = a x[i] + b y[i] over float64 arrays of the same size in plain JavaScript (the copy bound of this
// machine; every operation here reads at least two arrays and writes one).
//   npx tsx bench/gpujs.ts [--steps=N] [elements ...]       (headlessgl needs an X server: xvfb-run -a)
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { createGpujsBackend, openGpujsKernels } from '../backends/gpujs/index.js';
import type { GpujsMode } from '../backends/gpujs/kernels.js';
import { resolveBackend } from '../src/contract/registry.js';
import { gaussianTensor } from '../src/random/gaussian.js';
import { DDPM_SCHEDULE } from '../src/schedule/spec.js';
import { scheduleTables } from '../src/schedule/tables.js';

export interface GpujsBenchOptions {
  /** Modes to run; unavailable ones are reported as skipped. Default: cpu, webasm, headlessgl. */
  modes?: readonly GpujsMode[];
  /** Elements per tensor. Default: 1e6. */
  sizes?: readonly number[];
  /** Timed runs per measurement, after one untimed warm-up that compiles. The fastest is reported: on a shared machine it is the stable one. Default: 3. */
  repeats?: number;
  /** Steps of the forward chains. Default: 10. */
  steps?: number;
}

export interface GpujsBenchRow {
  backend: string;
  /** Where tensors live between kernels. */
  storage: 'device' | 'host';
  operation: string;
  elements: number;
  /** Fastest seconds per operation (per step for chains). */
  seconds: number;
  /** seconds / seconds of one float64 axpy of the same size in the same run (per step for chains). */
  ratioToAxpy: number;
}

export type GpujsBenchResult = { rows: GpujsBenchRow[]; skipped: { backend: string; reason: string }[]; axpySeconds: Record<number, number> };

async function time(repeats: number, fn: () => unknown): Promise<number> {
  await fn();
  const samples: number[] = [];
  for (let r = 0; r < repeats; r++) {
    const start = performance.now();
    await fn();
    samples.push((performance.now() - start) / 1000);
  }
  return Math.min(...samples);
}

function axpy(out: Float64Array, a: number, x: Float64Array, b: number, y: Float64Array): void {
  for (let i = 0; i < out.length; i++) out[i] = a * x[i] + b * y[i];
}

/**
 * Measures per mode: q_sample through the contract (upload, one kernel, download), the contract's forward
 * chain (its noise comes from the shared host generator, as for every backend), and a chain of linear kernels
 * on tensors uploaded once, with tensors kept on the device (textures) and copied through host arrays between
 * kernels, which is the difference residency makes.
 */
export async function benchGpujs(options: GpujsBenchOptions = {}): Promise<GpujsBenchResult> {
  const { modes = ['cpu', 'webasm', 'headlessgl'], sizes = [1e6], repeats = 3, steps = 10 } = options;
  const tables = scheduleTables(DDPM_SCHEDULE);
  const rows: GpujsBenchRow[] = [];
  const skipped: GpujsBenchResult['skipped'] = [];
  const axpySeconds: Record<number, number> = {};
  await import('../backends/gpujs/index.js');

  const available: GpujsMode[] = [];
  for (const mode of modes) {
    const r = await resolveBackend(`gpujs:${mode}`);
    if ('skipped' in r) skipped.push({ backend: `gpujs:${mode}`, reason: r.skipped });
    else {
      available.push(mode);
      await r.backend.dispose?.();
    }
  }

  for (const elements of sizes) {
    const batch = 8;
    const shape = [batch, elements / batch];
    const x0 = gaussianTensor(shape, 1, 1);
    const noise = gaussianTensor(shape, 1, 2);
    const t = [1, 10, 100, 200, 400, 600, 800, 1000];
    const out = new Float64Array(elements);
    const baseline = await time(repeats, () => axpy(out, 0.9, x0.data as Float64Array, 0.1, noise.data as Float64Array));
    axpySeconds[elements] = baseline;
    const row = (backend: string, storage: GpujsBenchRow['storage'], operation: string, seconds: number, perStep = 1) =>
      rows.push({ backend, storage, operation, elements, seconds: seconds / perStep, ratioToAxpy: seconds / perStep / baseline });

    for (const mode of available) {
      const name = `gpujs:${mode}`;
      const backend = await createGpujsBackend(mode);
      const storage = mode === 'headlessgl' ? 'device' : 'host';
      try {
        row(name, storage, 'qSample', await time(repeats, () => backend.qSample({ schedule: tables, x0, noise, t })));
        row(name, storage, `forwardChain ${steps} steps (per step)`, await time(repeats, () => backend.forwardChain({ schedule: tables, x0, t: steps, seed: 3 })), steps);
      } finally {
        await backend.dispose?.();
      }
      for (const resident of mode === 'headlessgl' ? [true, false] : [false]) {
        const { kernels: k, close } = await openGpujsKernels(mode, resident);
        try {
          const signal = new Float64Array(batch).fill(Math.sqrt(1 - 0.02));
          const scale = new Float64Array(batch).fill(Math.sqrt(0.02));
          const seconds = await time(repeats, () => {
            let x = k.upload(x0);
            const z = k.upload(noise);
            for (let s = 0; s < steps; s++) {
              const next = k.linear([{ x, coef: signal }, { x: z, coef: scale }]);
              k.dispose(x);
              x = next;
            }
            const result = k.download(x);
            k.dispose(x);
            k.dispose(z);
            return result;
          });
          row(name, resident ? 'device' : 'host', `linear kernel chain ${steps} steps (per step)`, seconds, steps);
        } finally {
          await close();
        }
      }
    }
  }
  return { rows, skipped, axpySeconds };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const args = process.argv.slice(2);
  const steps = Number(args.find((a) => a.startsWith('--steps='))?.slice('--steps='.length) ?? 10);
  const sizes = args.filter((a) => !a.startsWith('--')).map(Number);
  const { rows, skipped, axpySeconds } = await benchGpujs({ sizes: sizes.length > 0 ? sizes : [1e6], steps });
  for (const [n, s] of Object.entries(axpySeconds)) console.log(`baseline: float64 axpy over ${Number(n).toExponential(0)} elements, ${(s * 1e3).toFixed(2)} ms`);
  console.log('| backend | storage | operation | elements | ms | x axpy |');
  console.log('|---|---|---|---|---|---|');
  for (const r of rows) console.log(`| ${r.backend} | ${r.storage} | ${r.operation} | ${r.elements.toExponential(0)} | ${(r.seconds * 1e3).toFixed(1)} | ${r.ratioToAxpy.toFixed(1)} |`);
  for (const s of skipped) console.log(`skipped ${s.backend}: ${s.reason}`);
}
