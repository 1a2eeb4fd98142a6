// docs/architectures.md from the stored results of the architectures benchmark (bench/models-results.ts).
import type { ModelSpec } from '../src/models/spec.js';
import { packageRoot } from '../src/paths.js';
import { parameterCount } from './models-matched.js';
import type {
  BenchSettings,
  Bound,
  Bounds,
  Exponent,
  ModelResults,
  Seconds,
  Spread,
  TimedSpread,
} from './models-results.js';

const MISSING = 'not measured';
const range = (s: Spread, digits: number) =>
  `${s.median.toFixed(digits)} (${s.min.toFixed(digits)}-${s.max.toFixed(digits)}, n = ${s.repeats})`;
const exponent = (e: Exponent | undefined) =>
  e
    ? `${e.ofMedians.toFixed(2)} (sweeps ${range(e.sweeps, 2)}; wall ${e.wallOfMedians.toFixed(2)})`
    : 'n/a (fixed width)';
/** CPU median and range, then the wall median. */
const timedRange = (t: TimedSpread, digits: number) => `${range(t.cpu, digits)}; wall ${t.wall.median.toFixed(digits)}`;
const seconds = ({ wall, cpu }: Seconds) => `${(wall / 60).toFixed(1)} / ${(cpu / 60).toFixed(1)}`;
const bound = (b: Bound | undefined) => (b ? `${b.median.toFixed(2)} ± ${b.standardError.toFixed(2)}` : 'n/a');

/** What sets a model apart, in a few words. */
function configuration(m: ModelSpec): string {
  if (m.architecture === 'unet' || m.architecture === 'unet-attn')
    return `${m.baseChannels} base channels, ${m.levels} levels, ${m.skip} skips, ${m.groups} group, ${m.heads} heads`;
  if (m.architecture === 'dit') return `hidden ${m.hidden}, depth ${m.depth}, patch ${m.patch}, ${m.heads} heads`;
  return "the seed's: 64 channels, 3 convolutions";
}

export function renderArchitecturesReport(
  models: ModelSpec[],
  results: Record<string, ModelResults>,
  settings: BenchSettings,
): string {
  const { scaling, throughput } = settings;
  const scalingBackend = results[models[0].architecture].timings?.scalingBackend ?? MISSING;
  const names = models.map((m) => m.architecture);
  const timings = names.map((n) => results[n].timings);
  const trained = names.map((n) => results[n].trained);
  const recipe = trained.find((t) => t)?.recipe;
  const backends = [...new Set(timings.flatMap((t) => (t ? Object.keys(t.backends) : [])))];
  const skipped = Object.entries(Object.assign({}, ...timings.map((t) => t?.skipped ?? {})) as Record<string, string>);
  const header = `| | ${names.join(' | ')} |\n|---|${names.map(() => '---').join('|')}|`;
  const line = (what: string, cells: (string | undefined)[]) =>
    `| ${what} | ${cells.map((c) => c ?? MISSING).join(' | ')} |`;
  const parameters = models.map(parameterCount);
  const spread = `${((Math.max(...parameters) / Math.min(...parameters) - 1) * 100).toFixed(1)}%`;
  const total = (pick: (r: ModelResults) => Seconds | undefined) =>
    names.reduce(
      (s, n) => {
        const t = pick(results[n]);
        return { wall: s.wall + (t?.wall ?? 0), cpu: s.cpu + (t?.cpu ?? 0) };
      },
      { wall: 0, cpu: 0 },
    );
  const rows = [
    line(
      'configuration',
      models.map((m) => configuration(m)),
    ),
    line(
      'parameters (vs simple-conv)',
      parameters.map((p) => `${p.toLocaleString('en')} (${(p / parameters[0]).toFixed(2)}x)`),
    ),
    line(
      'forward FLOPs per image',
      timings.map((t) => t && `${(t.forwardFlops / 1e6).toFixed(2)} M`),
    ),
    ...backends.map((b) =>
      line(
        `training step, batch ${settings.stepBatch}, ${b} (CPU ms, median (range, n); wall ms)`,
        timings.map((t) => t?.backends[b] && timedRange(t.backends[b].stepMs, 0)),
      ),
    ),
    ...backends.map((b) =>
      line(
        `DDIM sampling, ${throughput.steps} steps, ${throughput.samples} samples, ${b} (samples per CPU s; per wall s)`,
        timings.map((t) => t?.backends[b] && timedRange(t.backends[b].samplesPerSecond, 1)),
      ),
    ),
    line(
      'held-out L_simple, unconditional (null class)',
      trained.map((t) => t?.heldOutLoss.unconditional.toFixed(4)),
    ),
    line(
      'held-out L_simple, conditional (true class)',
      trained.map((t) => (t ? (t.heldOutLoss.conditional?.toFixed(4) ?? 'n/a') : undefined)),
    ),
    ...(['fixedLarge', 'fixedSmall'] as (keyof Bounds)[]).flatMap((variance) =>
      (['unconditional', 'conditional'] as const).map((kind) =>
        line(
          `bits/dim, ${variance === 'fixedLarge' ? 'fixed_large' : 'fixed_small'}, ${kind} (mean ± s.e.)`,
          trained.map((t) => t && bound(t.bitsPerDim[kind]?.[variance])),
        ),
      ),
    ),
    line(
      `step time ~ resolution^a (${scaling.resolutions.join(', ')})`,
      timings.map((t) => t && exponent(t.resolutionExponent)),
    ),
    line(
      `step time ~ width^b (${scaling.widths.map((w) => `x${w}`).join(', ')})`,
      timings.map((t) => t && exponent(t.widthExponent)),
    ),
    line(
      'training, wall / CPU (min)',
      trained.map((t) => t && seconds(t.trainSeconds)),
    ),
  ];
  const grids = names.map((n, i) => (trained[i] ? `[${n}](architectures/${n}.png)` : `${n} (${MISSING})`)).join(', ');
  const training = total((r) => r.trained?.totalSeconds);
  const timed = total((r) => r.timings?.totalSeconds);
  const recipeText = recipe
    ? `Each model trains ${recipe.steps} steps of batch ${recipe.batch} on ${recipe.backend} ` +
      `(Adam lr ${recipe.learningRate}, gradient clip ${recipe.clipGradNorm}, EMA ${recipe.emaDecay}, ` +
      `seed ${recipe.seed}; the class-conditional ones drop the label with p_uncond ${recipe.pUncond}) and is ` +
      'evaluated with its EMA weights.'
    : 'No trained rows are stored for the current models and recipe: run `npm run bench:models`.';
  const untrained = names.filter((_, i) => !trained[i]);
  const untimed = names.filter((_, i) => !timings[i]);
  const missing = [
    ...(untrained.length && recipe
      ? [`\`npm run bench:models -- --trained-only --models ${untrained.join(',')}\``]
      : []),
    ...(untimed.length ? [`\`npm run bench:models -- --timings-only --models ${untimed.join(',')}\``] : []),
  ];
  const missingText = missing.length ? `Rows marked "${MISSING}" come from: ${missing.join(' and ')}.\n\n` : '';
  return `# The seed's architectures, measured

\`npm run bench:models\` (bench/models.ts) on 16 x 16 Fashion-MNIST (Debian's dataset-fashion-mnist, area-resampled),
the seed's schedule (linear 1e-4..0.06, T = 100). unet, unet-attn and dit are class-conditional (10 classes and a null
class); simple-conv, the seed's model, is not. ${recipeText}

Matched parameter counts: simple-conv's width is the seed's; each other architecture keeps, among candidates that
differ only in width (and the DiT's depth), the configuration whose parameter count is nearest simple-conv's
(bench/models-matched.ts). The largest and smallest count differ by ${spread}.

${header}
${rows.join('\n')}

How to read it:
- Times: each is the median of repeated runs after one warm-up, with the range and the number of repetitions, in
  CPU time of the benchmark's process and in wall time. The backends compute on one thread, so CPU time is what a
  step costs on a quiet machine; wall time on the shared 2-core machine these ran on is inflated by other processes.
- Exponents: log-log least-squares slopes of the training-step CPU time (batch ${scaling.batch}, ${scalingBackend})
  against the image side (${scaling.resolutions.join(', ')}) and against a width factor
  (${scaling.widths.map((w) => `x${w}`).join(', ')} of the U-Nets' base channels, the DiT's hidden width). Each of
  ${scaling.sweeps} sweeps times one step at every size in turn; the first number is the slope of the per-size
  medians, then the median and range of the ${scaling.sweeps} per-sweep slopes, and the slope of the wall-time medians.
- Held-out L_simple: ${settings.heldOut} test images at fixed random t and eps. A model that predicts eps = 0
  scores 1 (E eps^2 = 1).
- Bits/dim: the variational bound on ${settings.boundImages} test images quantised to 256 levels, as
  improved-diffusion's calc_bpd_loop computes it: the prior KL, the posterior KL at every t > 1 and the
  discretised-Gaussian decoder NLL at t = 1 (src/evaluation/bits-per-dim.ts; the Gaussian KL and the discretised
  likelihood are checked in test/likelihood.spec.ts), with the reverse variances fixed at sigma_t^2 = beta_t
  (fixed_large, improved-diffusion's default when the variance is not learned, and DDPM's for CIFAR-10) or at
  beta~_t (fixed_small). A uniform distribution over the 256 levels scores 8 bits/dim. With T = 100 the bound is
  loose: the KLs of the first few steps carry most of it.
- Unconditional rows run the class-conditional models with the null class, as a guided sampler's second branch does.

${missingText}Time, summed over the models (separate processes may run them side by side): trained rows
${seconds(training)} min wall / CPU, timing rows ${seconds(timed)} min (all backends above, summed over the runs that
measured them).
Re-measure the timing rows alone, keeping the trained rows, with \`npm run bench:models -- --timings-only\` (the
backends that declare the 'architectures' capability), or some backends' rows only with \`--timings-only --backends
a,b\`.${
    skipped.length
      ? `\nNot timed: ${skipped.map(([n, why]) => `${n} (${why.replaceAll(packageRoot(), '.')})`).join('; ')}.`
      : ''
  }

Sample grids (ancestral sampling over all T steps, seed 3; ${settings.gridPerClass} rows of the ten classes, guided
with w = ${settings.guidance}, except simple-conv's unconditional ones): ${grids}.

Models:
${models.map((m) => `- \`${JSON.stringify(m)}\``).join('\n')}
`;
}
