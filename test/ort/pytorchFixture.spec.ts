// The seed's SimpleDenoiseModel exported from PyTorch (test/fixtures/onnx/simple-denoise.onnx, written by
// make_simple_denoise.py with Debian's python3-torch) computes what diffspec's simple-conv computes with the same
// weights: eps_theta(x, t) = conv3(ReLU(conv2(ReLU(conv1([x | t / T]))))) (the seed's model). The weights are
// read from the ONNX file's initializers; the exported graph runs on ONNX Runtime (float32) through
// loadOnnxDenoiser, the way `diffspec sample --model-onnx` runs it, and the reference is the spec's float64
// simple-conv, within the float32 bound of the network's roundings (src/speckit/tolerance.ts). A model that
// swapped the time channel's position, read t instead of t / T or dropped a ReLU differs by far more.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { floatInitializers } from '../../backends/ort/onnx.js';
import { loadOnnxDenoiser } from '../../backends/ort/onnxDenoiser.js';
import { referencePredict } from '../../spec/support/reference-models.js';
import type { Weights } from '../../src/contract/training.js';
import { architectureOf, type ModelSpec } from '../../src/models/spec.js';
import { gaussianTensor } from '../../src/random/gaussian.js';
import { absoluteFloor, networkRoundings, relativeBound } from '../../src/speckit/tolerance.js';
import { ortSelected } from './selection.js';

const FIXTURE = new URL('../fixtures/onnx/simple-denoise.onnx', import.meta.url);
/** As make_simple_denoise.py. */
const T = 100;
const MODEL: ModelSpec = { architecture: 'simple-conv', channels: 3, height: 8, width: 8 };

describe.skipIf(!ortSelected)('ort: a denoiser exported from PyTorch', () => {
  it("the exported SimpleDenoiseModel equals diffspec's simple-conv with its weights", async () => {
    const bytes = readFileSync(FIXTURE);
    const initializers = floatInitializers(bytes);
    const parameters = architectureOf(MODEL).parameters(MODEL);
    const weights: Weights = Object.fromEntries(
      parameters.map((p) => {
        const tensor = initializers.get(p.name);
        expect(tensor?.shape, p.name).toEqual(p.shape);
        return [p.name, { shape: p.shape, data: Float64Array.from(tensor!.data) }];
      }),
    );
    const denoiser = await loadOnnxDenoiser(bytes);
    try {
      expect(denoiser.signature).toEqual({ x: 'x', t: 't', tType: 'int64', output: 'eps', itemShape: [3, 8, 8] });
      const x = gaussianTensor([4, 3, 8, 8], 20261130, 0);
      const t = Int32Array.of(1, 37, 64, T);
      const actual = await denoiser.model(x, t);
      const expected = referencePredict(MODEL, weights, x, t, T);
      expect(actual.shape).toEqual(x.shape);
      const roundings = networkRoundings(
        parameters.filter((p) => p.name.endsWith('weight')).map((p) => p.fanIn),
        0,
        'float32',
      );
      const bound = (i: number) =>
        relativeBound(roundings, 'float32') * expected.scale[i] + absoluteFloor(roundings, 'float32');
      const worstRatio = (value: Float64Array) =>
        Math.max(...Array.from(actual.data, (a, i) => Math.abs(a - value[i]) / bound(i)));
      expect(worstRatio(expected.value)).toBeLessThanOrEqual(1);
      // The bound has power: the same reference at other timesteps (t read as T + 1 - t) lies outside it.
      expect(
        worstRatio(
          referencePredict(
            MODEL,
            weights,
            x,
            Int32Array.from(t, (ti) => T + 1 - ti),
            T,
          ).value,
        ),
      ).toBeGreaterThan(1);
    } finally {
      await denoiser.dispose();
    }
  });
});
