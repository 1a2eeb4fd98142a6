// The process protocol's cost per call (docs/protocol.md): q_sample on the NumPy adapter over JSON-RPC lines against
// the in-process float64 reference, and against NumPy's own time for the same arithmetic, so the difference is what
// the protocol adds (base64 both ways, JSON, the pipe, Python's dispatch and argument checks).
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cpuBackend } from '../backends/cpu/index.js';
import type { DiffusionBackend } from '../src/contract/backend.js';
import { DEFAULT_ADAM } from '../src/equations/adam.js';
import { initialWeights, zerosLike } from '../src/models/init.js';
import { MLP_DEFAULTS } from '../src/models/mlp.js';
import { architectureOf, type ModelSpec } from '../src/models/spec.js';
import { packageRoot } from '../src/paths.js';
import { gaussianTensor } from '../src/random/gaussian.js';
import { SEED_SCHEDULE } from '../src/schedule/spec.js';
import { scheduleTables } from '../src/schedule/tables.js';
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

/**
 * CPU seconds (user + system) of this process and of its running child processes (the programs it started), from
 * /proc where there is one: the load of a shared machine inflates wall times, not CPU times.
 */
function cpuSecondsWithChildren(): number {
  const { user, system } = process.cpuUsage();
  let children = 0;
  const ticks = 100; // USER_HZ: /proc's unit on Linux
  for (const pid of existsSync('/proc') ? readdirSync('/proc') : []) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[1]) === process.pid) children += (Number(fields[11]) + Number(fields[12])) / ticks;
    } catch {
      // the process exited meanwhile
    }
  }
  return (user + system) / 1e6 + children;
}

/** The models of the training-step benchmark: the end-to-end check's MLP, the default MLP and the seed's CNN. */
const TRAINING_BENCH: { label: string; model: ModelSpec; batch: number }[] = [
  {
    label: 'mlp 2-32x3 gelu',
    model: { architecture: 'mlp', ...MLP_DEFAULTS, hidden: 32, embeddingDim: 16 },
    batch: 128,
  },
  { label: 'mlp 2-128x3 gelu', model: { architecture: 'mlp', ...MLP_DEFAULTS }, batch: 128 },
  {
    label: 'simple-conv 3x16x16',
    model: { architecture: 'simple-conv', channels: 3, height: 16, width: 16 },
    batch: 8,
  },
];

/**
 * One trainer step (timesteps, noise, L_simple's gradients, Adam on every tensor, clipping and EMA) on the PyTorch
 * adapter over the protocol (docs/protocol.md, "Training operations": 3 + tensors round trips, the noise drawn by
 * the program) against the in-process float64 reference; and the protocol's fixed cost, a sample_timesteps of one draw.
 */
export async function benchProcessTraining(steps = 21): Promise<BenchRow[]> {
  const selected = await loadProgramBackend(
    `cmd:${PYTHON} ${join(packageRoot(), 'examples', 'python-torch', 'backend.py')}`,
  );
  if (!('backend' in selected)) {
    const skipped = 'failed' in selected ? selected.failed : selected.skipped;
    return [{ benchmark: 'training step over the process protocol (PyTorch)', size: '', seconds: NaN, skipped }];
  }
  const torch = selected.backend;
  const rows: BenchRow[] = [];
  try {
    const schedule = scheduleTables(SEED_SCHEDULE);
    const draw = (backend: DiffusionBackend) => () => backend.training!.sampleTimesteps(1, 100, 1, 0);
    const inProcess = await medianSeconds(draw(cpuBackend), 201);
    rows.push({
      benchmark: 'sample_timesteps of one draw, reference backend in process',
      size: '1',
      seconds: inProcess,
    });
    const roundTrip = await medianSeconds(draw(torch), 201);
    rows.push({
      benchmark: 'sample_timesteps of one draw, PyTorch adapter over the protocol (round trip)',
      size: '1',
      seconds: roundTrip,
      ratio: roundTrip / inProcess,
      baseline: 'in process',
    });
    for (const { label, model, batch } of TRAINING_BENCH) {
      const x0 = gaussianTensor([batch, ...architectureOf(model).itemShape(model)], 2, 0);
      const params = initialWeights(model, 1);
      const state = { step: 0, params, m: zerosLike(params), v: zerosLike(params) };
      const options = { adam: DEFAULT_ADAM, seed: 1, clipGradNorm: 1, emaDecay: 0.999 };
      // The median wall time, and the CPU time per step of this process and the program together.
      const time = async (backend: DiffusionBackend) => {
        const trainer = await backend.training!.createTrainer(model, schedule, state, options);
        try {
          const before = cpuSecondsWithChildren();
          const wall = await medianSeconds(() => trainer.step(x0), steps);
          return { wall, cpuMs: ((cpuSecondsWithChildren() - before) / (steps + 1)) * 1e3 };
        } finally {
          trainer.dispose();
        }
      };
      const tensors = architectureOf(model).parameters(model).length;
      const cpu = await time(cpuBackend);
      rows.push({
        benchmark: `training step, ${label}, reference backend in process`,
        size: `b${batch}`,
        seconds: cpu.wall,
        rate: `CPU ${cpu.cpuMs.toFixed(1)} ms`,
      });
      const remote = await time(torch);
      rows.push({
        benchmark: `training step, ${label}, PyTorch adapter over the protocol`,
        size: `b${batch}`,
        seconds: remote.wall,
        rate: `CPU ${remote.cpuMs.toFixed(1)} ms (with the program's), ${3 + tensors} round trips`,
        ratio: remote.wall / cpu.wall,
        baseline: 'in process',
      });
    }
  } finally {
    await torch.dispose?.();
  }
  return rows;
}
