// The process protocol's cost per call (docs/protocol.md): q_sample on the NumPy adapter over JSON-RPC lines against
// the in-process float64 reference, and against NumPy's own time for the same arithmetic, so the difference is what
// the protocol adds (base64 both ways, JSON, the pipe, Python's dispatch and argument checks).
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { cpuBackend } from '../backends/cpu/index.js';
import { packageRoot } from '../src/paths.js';
import { gaussianTensor } from '../src/random/gaussian.js';
import { SEED_SCHEDULE } from '../src/schedule/spec.js';
import { loadProgramBackend } from '../src/speckit/selection.js';
import { type BenchRow, medianSeconds } from './timing.js';

const PYTHON = '/usr/bin/python3';

/** NumPy's median time for sqrt(a) x0 + sqrt(1 - a) e on n elements, in seconds, or why it cannot run. */
function numpyArithmetic(n: number): number | string {
  const code = `import timeit, numpy as np
x = np.random.default_rng(1).standard_normal((10, ${n / 10})); e = x[::-1].copy(); a = np.full((10, 1), 0.5)
print(sorted(timeit.repeat(lambda: np.sqrt(a) * x + np.sqrt(1 - a) * e, number=1, repeat=21))[10])`;
  const r = spawnSync(PYTHON, ['-c', code], { encoding: 'utf8' });
  return r.status === 0 ? Number(r.stdout.trim()) : `${PYTHON} with numpy cannot run: ${r.stderr || r.error?.message}`;
}

export async function benchProcess(sizes = [1e3, 1e6]): Promise<BenchRow[]> {
  const selected = await loadProgramBackend(
    `cmd:${PYTHON} ${join(packageRoot(), 'examples', 'python-numpy', 'backend.py')}`,
  );
  if (!('backend' in selected)) {
    const why = 'failed' in selected ? selected.failed : selected.skipped;
    return sizes.map((n) => ({
      benchmark: 'q_sample over the process protocol (NumPy)',
      size: `${n}`,
      seconds: NaN,
      skipped: why,
    }));
  }
  const numpy = selected.backend;
  const rows: BenchRow[] = [];
  try {
    const schedule = await cpuBackend.schedule(SEED_SCHEDULE);
    const programSchedule = await numpy.schedule(SEED_SCHEDULE);
    for (const n of sizes) {
      const shape = [10, n / 10];
      const x0 = gaussianTensor(shape, 1, 0);
      const noise = gaussianTensor(shape, 1, 1);
      const t = new Array(shape[0]).fill(50);
      const runs = n <= 1e3 ? 201 : 11;
      const cpu = await medianSeconds(() => cpuBackend.qSample({ schedule, x0, noise, t }), runs);
      rows.push({ benchmark: 'q_sample, reference backend in process', size: `${n}`, seconds: cpu });
      const remote = await medianSeconds(() => numpy.qSample({ schedule: programSchedule, x0, noise, t }), runs);
      rows.push({
        benchmark: 'q_sample, NumPy adapter over the protocol (round trip)',
        size: `${n}`,
        seconds: remote,
        ratio: remote / cpu,
        baseline: 'in process',
      });
      const arithmetic = numpyArithmetic(n);
      if (typeof arithmetic === 'string')
        rows.push({ benchmark: 'the same arithmetic in NumPy', size: `${n}`, seconds: NaN, skipped: arithmetic });
      else
        rows.push({
          benchmark: 'the same arithmetic in NumPy (no protocol)',
          size: `${n}`,
          seconds: arithmetic,
          rate: `protocol adds ${((remote - arithmetic) * 1e3).toFixed(3)} ms`,
        });
    }
  } finally {
    await numpy.dispose?.();
  }
  return rows;
}
