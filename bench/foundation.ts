// Foundation benchmarks on the float64 reference backend: q_sample and the forward chain against the memory-bandwidth
// bound of a same-process axpy loop (o[i] = a x[i] + b y[i], the same reads and writes as q_sample), and the start-up
// of `diffspec eval` on a small case (external harnesses call it thousands of times).
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { cpuBackend } from '../backends/cpu/index.js';
import { gaussianTensor } from '../src/random/gaussian.js';
import { SEED_SCHEDULE } from '../src/schedule/spec.js';
import { type BenchRow, medianSeconds } from './timing.js';

/** The memory-bound baseline: the same reads and writes as q_sample. */
export function axpy(a: number, x: Float64Array, b: number, y: Float64Array, out: Float64Array): void {
  for (let i = 0; i < out.length; i++) out[i] = a * x[i] + b * y[i];
}

export const elementRate = (elements: number, seconds: number) => `${(elements / seconds / 1e9).toFixed(3)} G elem/s`;

export async function benchFoundation(sizes = [1e6, 1e7]): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const schedule = await cpuBackend.schedule(SEED_SCHEDULE);
  for (const n of sizes) {
    const shape = [10, n / 10];
    const x0 = gaussianTensor(shape, 1, 0);
    const noise = gaussianTensor(shape, 1, 1);
    const out = new Float64Array(n);
    const bound = await medianSeconds(() => axpy(0.9, x0.data as Float64Array, 0.1, noise.data as Float64Array, out));
    rows.push({ benchmark: 'axpy bound (same process)', size: `${n}`, seconds: bound, rate: elementRate(n, bound) });
    const t = new Array(shape[0]).fill(50);
    const q = await medianSeconds(() => cpuBackend.qSample({ schedule, x0, noise, t }));
    rows.push({
      benchmark: 'q_sample (incl. input validation)',
      size: `${n}`,
      seconds: q,
      rate: elementRate(n, q),
      ratio: q / bound,
      baseline: 'axpy',
    });
    const steps = 10;
    const chain = await medianSeconds(() => cpuBackend.forwardChain({ schedule, x0, t: steps, seed: 7 }), 3);
    rows.push({
      benchmark: `forward chain, ${steps} steps (noise drawn per step)`,
      size: `${n}`,
      seconds: chain,
      rate: elementRate(n * steps, chain),
      ratio: chain / (steps * bound),
      baseline: `${steps} axpy`,
    });
  }
  return rows;
}

/** Median wall time of `diffspec eval` on one small case, process start-up included. */
export async function benchEvalStartup(): Promise<BenchRow[]> {
  const cli = join(import.meta.dirname, '..', 'src', 'cli', 'main.js');
  const example = join(import.meta.dirname, '..', '..', 'examples', 'cases', 'q_sample.json');
  const node = await medianSeconds(() => execFileSync(process.execPath, ['-e', '0']), 9);
  const evalTime = await medianSeconds(() => execFileSync(process.execPath, [cli, 'eval', '--case', example]), 9);
  return [
    { benchmark: 'node -e 0 (process start-up)', size: '-', seconds: node },
    {
      benchmark: 'diffspec eval, one small case',
      size: '2x2',
      seconds: evalTime,
      ratio: evalTime / node,
      baseline: 'bare node',
    },
  ];
}
