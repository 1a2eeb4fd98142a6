// `npx tsx bench/training-step-time.ts SIZE STEPS BACKEND,...` (headlessgl under `xvfb-run -a`): CPU time and wall
// time per simple-conv training step, batch 8 of 3 x SIZE x SIZE, every listed backend in one process. On a shared
// machine the wall time follows the load; the process's CPU time (user + system, the Mesa driver threads of
// headlessgl and webgpu included) compares backends run minutes apart.
import '../backends/index.js';
import { resolveBackend } from '../src/contract/registry.js';
import { DEFAULT_ADAM } from '../src/equations/adam.js';
import { initialWeights, zerosLike } from '../src/models/init.js';
import type { ModelSpec } from '../src/models/spec.js';
import { gaussianTensor } from '../src/random/gaussian.js';
import { SEED_SCHEDULE } from '../src/schedule/spec.js';
import { scheduleTables } from '../src/schedule/tables.js';

const [size, steps] = [Number(process.argv[2] ?? 32), Number(process.argv[3] ?? 3)];
const names = (process.argv[4] ?? 'cpu,gpujs:webasm').split(',');
const model: ModelSpec = { architecture: 'simple-conv', channels: 3, height: size, width: size };
const cpuMilliseconds = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};

console.log(`| simple-conv b8 3x${size}x${size}, per step | CPU time | wall time |\n|---|---|---|`);
for (const name of names) {
  const resolved = await resolveBackend(name);
  if ('skipped' in resolved) {
    console.log(`| ${name} | skipped: ${resolved.skipped} | |`);
    continue;
  }
  const { backend } = resolved;
  if (!backend.training) throw new Error(`${name} does not train`);
  const params = initialWeights(model, 1);
  const state = { step: 0, params, m: zerosLike(params), v: zerosLike(params) };
  const options = { adam: DEFAULT_ADAM, seed: 1, clipGradNorm: 1, emaDecay: 0.999 };
  const trainer = await backend.training.createTrainer(model, scheduleTables(SEED_SCHEDULE), state, options);
  const x0 = gaussianTensor([8, 3, size, size], 2, 0);
  await trainer.step(x0); // compiles the kernels
  const [wall, cpu] = [performance.now(), cpuMilliseconds()];
  for (let i = 0; i < steps; i++) await trainer.step(x0);
  const [cpuPerStep, wallPerStep] = [(cpuMilliseconds() - cpu) / steps, (performance.now() - wall) / steps];
  console.log(`| ${name} | ${cpuPerStep.toFixed(0)} ms | ${wallPerStep.toFixed(0)} ms |`);
  trainer.dispose();
  await backend.dispose?.();
}
