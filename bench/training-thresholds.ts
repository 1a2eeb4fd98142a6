// `npx tsx bench/training-thresholds.ts loss|kl [--seeds N] [--steps S] [--backend NAME]`: the distribution over
// seeds of the statistic behind one of the training group's end-to-end thresholds (spec/groups/training.ts), on a
// correct backend (default: the float64 reference) after the check's training run; on the same model untrained
// (0 steps), a model that did not learn; and, for kl, on samples of N(0, I). Prints each, the Gaussian fit's tail
// beyond the threshold (the false-alarm rate) and how many untrained models the threshold lets pass (1 - power).
// The numbers go into PROBE_LOSS_RUN and E2E_RUN.
import { parseArgs } from 'node:util';
import '../backends/index.js';
import { E2E_RUN, endToEndKl, PROBE_LOSS_RUN, probeLossAfterTraining } from '../spec/groups/training.js';
import { resolveBackend } from '../src/contract/registry.js';
import { toyDataset } from '../src/data/toy2d.js';
import { gaussianValues } from '../src/random/gaussian.js';
import { knnKlDivergence } from '../src/stats/divergence.js';
import { normalCdf } from '../src/stats/normal.js';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    seeds: { type: 'string', default: '100' },
    steps: { type: 'string' },
    backend: { type: 'string', default: 'cpu' },
  },
});
const statistic = positionals[0];
if (statistic !== 'loss' && statistic !== 'kl') {
  throw new Error('name the statistic: loss (L_simple on the probe) or kl (k-NN KL of DDPM samples)');
}
const run = statistic === 'loss' ? PROBE_LOSS_RUN : E2E_RUN;
const seeds = Number(values.seeds);
const steps = values.steps === undefined ? run.steps : Number(values.steps);
const resolved = await resolveBackend(values.backend);
if (!('backend' in resolved)) throw new Error(`backend ${values.backend} cannot run here: ${JSON.stringify(resolved)}`);
const backend = resolved.backend;

/** The statistic for seed i after `trainedSteps` steps; seeds of the three draws apart, as a check's subSeeds are. */
async function measure(i: number, trainedSteps: number): Promise<number> {
  if (statistic === 'loss') return (await probeLossAfterTraining(backend, 1_000_003 * i + 17, trainedSteps)).after;
  return (await endToEndKl(backend, [1_000_003 * i + 17, 2_000_029 * i + 5, 3_000_017 * i + 11], trainedSteps)).kl;
}

function summary(xs: number[]) {
  const mean = xs.reduce((a, x) => a + x, 0) / xs.length;
  const sd = Math.sqrt(xs.reduce((a, x) => a + (x - mean) ** 2, 0) / (xs.length - 1));
  return { mean, sd, min: Math.min(...xs), max: Math.max(...xs) };
}

const trained: number[] = [];
const untrained: number[] = [];
const started = performance.now();
for (let i = 1; i <= seeds; i++) {
  trained.push(await measure(i, steps));
  untrained.push(await measure(i, 0));
  const seconds = ((performance.now() - started) / 1000).toFixed(0);
  if (i % 10 === 0) process.stderr.write(`${i}/${seeds} seeds, ${seconds} s\n`);
}
const t = summary(trained);
const u = summary(untrained);
const z = (run.threshold - t.mean) / t.sd;
const fmt = (s: ReturnType<typeof summary>) =>
  `mean ${s.mean.toFixed(4)}, sd ${s.sd.toFixed(4)}, min ${s.min.toFixed(4)}, max ${s.max.toFixed(4)}`;
console.log(`${statistic} on ${backend.name}, ${seeds} seeds, threshold ${run.threshold}:`);
console.log(`  trained ${steps} steps: ${fmt(t)}`);
console.log(`  untrained:           ${fmt(u)}`);
const falseAlarms = trained.filter((x) => !(x < run.threshold)).length;
const missed = untrained.filter((x) => x < run.threshold).length;
const fitted = normalCdf(-z).toExponential(2);
console.log(`  threshold at ${z.toFixed(1)} sd above the trained mean: Gaussian-fit false-alarm rate ${fitted}`);
console.log(`  trained runs at or above the threshold: ${falseAlarms} of ${seeds}`);
const untrainedSd = ((u.mean - run.threshold) / u.sd).toFixed(1);
console.log(`  untrained runs below it (missed): ${missed} of ${seeds}; ${untrainedSd} sd below their mean`);
if (statistic === 'kl') {
  // Samples that only match the data's first two moments: N(0, I), against as many two-moons points.
  const n = E2E_RUN.samples;
  const data = (i: number) => toyDataset('two-moons', n, 3_000_017 * i + 11).data as Float64Array;
  const klOf = (i: number) => knnKlDivergence(data(i), gaussianValues(i, 7, 2 * n), 2, 5);
  const gaussian = summary(Array.from({ length: seeds }, (_, i) => klOf(i + 1)));
  const below = ((gaussian.mean - run.threshold) / gaussian.sd).toFixed(1);
  console.log(`  N(0, I) samples: ${fmt(gaussian)}; threshold ${below} sd below their mean`);
}
await backend.dispose?.();
