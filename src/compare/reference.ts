// The float64 reference as `diffspec compare` runs it: the reference kernels' values, each with the running magnitude
// and flush count its error bound scales with (Higham's running error bound, as the spec groups track it with
// `combine`), and optionally the noise a backend's own generator drew, so that a loop's error is arithmetic alone.
import type { DiffusionBackend } from '../contract/backend.js';
import type { TensorKernels } from '../contract/kernels.js';
import { type Conventions, DEFAULT_CONVENTIONS } from '../conventions/profile.js';
import { inPaperTimesteps } from '../conventions/timesteps.js';
import { composeBackend } from '../pipeline/compose.js';
import { combine, type Expected } from '../speckit/combination.js';
import { embeddingScale, meanSquaredErrorScale } from '../speckit/tolerance.js';
import { itemSize, type Tensor } from '../tensor.js';
import { known, type Magnitude, magnitudeOf, ones, plain } from './magnitudes.js';

/** A reference value on the device of the reference kernels, with its magnitude and flush count. */
interface Tracked {
  tensor: Tensor;
  scale: Float64Array;
  floor: Float64Array;
}

/** Noise as a backend drew it: stream `stream` of `seed` for a tensor of `shape`. */
export type NoiseSource = (shape: readonly number[], seed: number, stream: number) => Promise<Tensor>;

/**
 * The noise a backend's loops draw: the contract fixes their streams (x_T stream 0, the step from timestep t stream t,
 * forwardChain's step t stream t), and the loops group checks that randomNormal gives those very values.
 */
export const drawnNoise =
  (backend: DiffusionBackend): NoiseSource =>
  (shape, seed, stream) =>
    backend.randomNormal({ shape, seed, stream });

/** Splits the running magnitudes along dimension 1 of an NCHW tensor, as splitChannels splits the values. */
function splitAlongChannels(x: Tracked, c: number): [Magnitude, Magnitude] {
  const [n, channels] = x.tensor.shape;
  const m = itemSize(x.tensor);
  const first = (m / channels) * c;
  const part = (a: Float64Array, lo: number, hi: number) => {
    const out = new Float64Array(n * (hi - lo));
    for (let b = 0; b < n; b++) out.set(a.subarray(b * m + lo, b * m + hi), b * (hi - lo));
    return out;
  };
  return [
    { scale: part(x.scale, 0, first), floor: part(x.floor, 0, first) },
    { scale: part(x.scale, first, m), floor: part(x.floor, first, m) },
  ];
}

/**
 * Tensor kernels computing the float64 reference's values with `base` and, alongside, each value's running magnitude:
 * a linear combination adds |coef| x magnitude of each term (combine), clipping keeps it, an exponential or a fill is
 * exact up to its own roundings (|value|), a product multiplies magnitudes, the embedding scales with its argument.
 */
function magnitudeKernels(base: TensorKernels<Tensor, true>, noise?: NoiseSource): TensorKernels<Tracked> {
  const tracked = (tensor: Tensor, { scale, floor }: Magnitude): Tracked => ({ tensor, scale, floor });
  const upload = (t: Tensor): Tracked => {
    const m = magnitudeOf(t.data);
    return tracked(base.upload({ shape: t.shape, data: m.value }), m);
  };
  return {
    name: base.name,
    precision: base.precision,
    metadata: base.metadata,
    upload,
    download(h) {
      const t = base.download(h.tensor);
      known.set(t.data, { scale: h.scale, floor: h.floor });
      return t;
    },
    dispose: (h) => base.dispose(h.tensor),
    linear(terms, bias) {
      const n = terms[0].x.tensor.shape[0];
      const value = base.linear(
        terms.map(({ x, coef }) => ({ x: x.tensor, coef })),
        bias,
      );
      const asExpected = (x: Tracked): Expected => ({ ...x, value: x.tensor.data as Float64Array });
      return tracked(
        value,
        combine(
          n,
          terms.map(({ x, coef }) => ({ coef, x: asExpected(x) })),
          bias,
        ),
      );
    },
    fill: (shape, values) => {
      const t = base.fill(shape, values);
      return tracked(t, plain(t.data));
    },
    clip: (x, lo, hi) => tracked(base.clip(x.tensor, lo, hi), x),
    exp(x, s) {
      const t = base.exp(x.tensor, s);
      return tracked(t, plain(t.data));
    },
    multiply(a, b) {
      const t = base.multiply(a.tensor, b.tensor);
      const floor = a.floor.map((f, i) => 1 + f * Math.abs(b.tensor.data[i]) + b.floor[i] * Math.abs(a.tensor.data[i]));
      return tracked(t, { scale: a.scale.map((s, i) => s * b.scale[i]), floor });
    },
    splitChannels(x, c) {
      const [first, second] = base.splitChannels(x.tensor, c);
      const [m1, m2] = splitAlongChannels(x, c);
      return [tracked(first, m1), tracked(second, m2)];
    },
    meanSquaredErrorPerSample(a, b) {
      const perSample = base.meanSquaredErrorPerSample(a.tensor, b.tensor);
      const scale = meanSquaredErrorScale(a.tensor.data, b.tensor.data, perSample.length);
      known.set(perSample, { scale, floor: ones(perSample.length) });
      return perSample;
    },
    sinusoidalEmbedding(t, frequencies, dim) {
      const e = base.sinusoidalEmbedding(t, frequencies, dim);
      const half = frequencies.length;
      const scale = ones(t.length * dim);
      for (let n = 0; n < t.length; n++) {
        for (let j = 0; j < half; j++) {
          scale[n * dim + j] = scale[n * dim + half + j] = embeddingScale(t[n] * frequencies[j]);
        }
      }
      return tracked(e, { scale, floor: ones(scale.length) });
    },
    randomNormal: noise && (async (shape, seed, stream) => upload(await noise(shape, seed, stream))),
  };
}

/**
 * The float64 reference built from its kernels, every output's magnitude readable with magnitudeOf; with `noise`, its
 * loops draw the given noise (drawnNoise(backend): what that backend's loops drew) instead of the shared generator.
 */
export function trackedReference(
  base: TensorKernels<Tensor, true>,
  noise?: NoiseSource,
  conventions: Conventions = DEFAULT_CONVENTIONS,
): DiffusionBackend {
  const { profile: _name, ...flags } = conventions;
  // Seen in the paper's timesteps, as `diffspec compare` gives them, whatever the profile's indexing.
  return inPaperTimesteps(composeBackend(magnitudeKernels(base, noise), flags), conventions);
}
