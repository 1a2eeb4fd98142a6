// A model exported by exportDenoiser (backends/ort/export.ts; `diffspec export --format onnx`) is a standalone ONNX
// denoiser: run through loadOnnxDenoiser at a batch size other than the traced one, with t as int64, it computes the
// model definition eps_theta(x, t) (the spec's float64 reference models) within the float32 bound of the network's
// roundings (src/speckit/tolerance.ts), for simple-conv (time as a t / T channel) and the MLP (sinusoidal embedding).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { exportDenoiser } from '../../backends/ort/export.js';
import { loadOnnxDenoiser } from '../../backends/ort/onnxDenoiser.js';
import { type ReferenceModelSpec, referencePredict } from '../../spec/support/reference-models.js';
import { exportCommand } from '../../src/cli/commands/export.js';
import { trainCommand } from '../../src/cli/commands/train.js';
import { initialWeights } from '../../src/models/init.js';
import { MLP_DEFAULTS } from '../../src/models/mlp.js';
import { architectureOf } from '../../src/models/spec.js';
import { gaussianTensor } from '../../src/random/gaussian.js';
import { absoluteFloor, networkRoundings, relativeBound } from '../../src/speckit/tolerance.js';
import { ortSelected } from './selection.js';

const T = 1000;
// The ONNX export covers the models whose float64 definition the reference-models support writes out by hand.
const MODELS: ReferenceModelSpec[] = [
  { architecture: 'simple-conv', channels: 2, height: 5, width: 4 },
  { architecture: 'mlp', ...MLP_DEFAULTS, hidden: 16, layers: 2, embeddingDim: 8, activation: 'gelu' },
];

describe.skipIf(!ortSelected)('ort: exported denoisers', () => {
  for (const model of MODELS) {
    it(`${model.architecture} exported as ONNX computes the model definition at any batch size`, async () => {
      const weights = initialWeights(model, 11);
      const denoiser = await loadOnnxDenoiser(await exportDenoiser(model, weights, T));
      try {
        const item = architectureOf(model).itemShape(model);
        expect(denoiser.signature).toEqual({ x: 'x', t: 't', tType: 'int64', output: 'eps', itemShape: item });
        const x = gaussianTensor([3, ...item], 5, 0);
        const t = Int32Array.of(1, 500, T);
        const actual = await denoiser.model(x, t);
        const expected = referencePredict(model, weights, x, t, T);
        const weightsOf = architectureOf(model)
          .parameters(model)
          .filter((p) => p.name.endsWith('weight'));
        const elementary = model.architecture === 'mlp' ? model.layers + 1 : 0;
        const roundings = networkRoundings(
          weightsOf.map((p) => p.fanIn),
          elementary,
          'float32',
        );
        const bound = (i: number) =>
          relativeBound(roundings, 'float32') * expected.scale[i] + absoluteFloor(roundings, 'float32');
        expect(actual.shape).toEqual(x.shape);
        const worst = Math.max(...Array.from(actual.data, (a, i) => Math.abs(a - expected.value[i]) / bound(i)));
        expect(worst).toBeLessThanOrEqual(1);
      } finally {
        await denoiser.dispose();
      }
    });
  }

  it("diffspec export --checkpoint run/ --format onnx --out FILE writes the run's denoiser", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'diffspec-export-'));
    try {
      const run = join(dir, 'run');
      expect(await trainCommand.run(['--out', run, '--steps', '2', '--batch', '16', '--hidden', '8'])).toBe(0);
      const file = join(dir, 'model.onnx');
      expect(await exportCommand.run(['--checkpoint', run, '--format', 'onnx', '--out', file])).toBe(0);
      const denoiser = await loadOnnxDenoiser(readFileSync(file));
      try {
        expect(denoiser.signature).toEqual({ x: 'x', t: 't', tType: 'int64', output: 'eps', itemShape: [2] });
        const out = await denoiser.model(gaussianTensor([5, 2], 1, 0), Int32Array.of(1, 2, 3, 4, 5));
        expect(out.shape).toEqual([5, 2]);
        expect(out.data.every(Number.isFinite)).toBe(true);
      } finally {
        await denoiser.dispose();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
