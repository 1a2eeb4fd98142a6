// Every graph the ort backends generate is a valid ONNX model: onnx.checker.check_model(model, full_check=True)
// (the operator definitions of the ONNX standard, opset 17, with strict shape inference) accepts it. The
// graphs are collected while every operation of the contract runs, the training step included, with each
// prediction, variance, clipping and activation option, and the denoisers exportDenoiser writes; ONNX Runtime is
// more lenient than the standard (it accepts some attribute and shape mistakes), so passing the spec groups alone
// does not show this.
// Uses Debian's python3-onnx for /usr/bin/python3 (scripts/setup-python.sh); skipped with the reason without it.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type Deferred, DeferredEngine } from '../../backends/ort/deferred.js';
import { exportDenoiser } from '../../backends/ort/export.js';
import { ortKernels } from '../../backends/ort/kernels.js';
import { loadRuntime } from '../../backends/ort/runtime.js';
import { randomWeights, SMALL_MODELS, someLabels } from '../../spec/support/architectures.js';
import type { ReverseOptions } from '../../src/contract/backend.js';
import { DEFAULT_ADAM } from '../../src/equations/adam.js';
import { initialWeights, zerosLike } from '../../src/models/init.js';
import { MLP_DEFAULTS } from '../../src/models/mlp.js';
import type { ModelSpec } from '../../src/models/spec.js';
import { composeBackend } from '../../src/pipeline/compose.js';
import { gaussianTensor } from '../../src/random/gaussian.js';
import { scheduleTables } from '../../src/schedule/tables.js';
import { ortSelected } from './selection.js';

const CHECKER = `
import json, sys
try:
    import onnx
except ImportError as e:
    print(json.dumps({"missing": str(e)}))
    sys.exit(0)
failures = []
largest = 0
for path in sys.argv[1:]:
    try:
        model = onnx.load(path)
        largest = max(largest, len(model.graph.node))
        onnx.checker.check_model(model, full_check=True)
    except Exception as e:
        failures.append({"path": path, "error": str(e).splitlines()[0]})
print(json.dumps({"onnx": onnx.__version__, "failures": failures, "largest": largest}))
`;

function runChecker(paths: string[]): {
  missing?: string;
  failures?: { path: string; error: string }[];
  largest?: number;
} {
  const run = spawnSync('/usr/bin/python3', ['-c', CHECKER, ...paths], { encoding: 'utf8', maxBuffer: 1 << 24 });
  if (run.error) return { missing: `/usr/bin/python3 did not run: ${run.error.message}` };
  if (run.status !== 0) throw new Error(`the ONNX checker exited with ${run.status}: ${run.stderr}`);
  return JSON.parse(run.stdout) as ReturnType<typeof runChecker>;
}

/** Runs every operation of the contract on ort:node and returns each distinct model it compiled. */
async function generatedModels(): Promise<Uint8Array[]> {
  const engine = new DeferredEngine(await loadRuntime('node'));
  const models: Uint8Array[] = [];
  engine.onCompile = (model) => models.push(model);
  const backend = composeBackend(ortKernels(engine));
  const schedule = scheduleTables({ kind: 'linear', T: 20, betaStart: 1e-4, betaEnd: 0.06 });
  const shape = [2, 2, 3, 3];
  const x = gaussianTensor(shape, 1, 0);
  const noise = gaussianTensor(shape, 1, 1);
  const t = [5, 20];
  await backend.qSample({ schedule, x0: x, noise, t });
  await backend.forwardStep({ schedule, xPrev: x, noise, t });
  await backend.forwardChain({ schedule, x0: x, t: 3, seed: 1, recordAt: [2] });
  await backend.qPosterior({ schedule, x0: x, xt: noise, t });
  await backend.lossSimple({ schedule, x0: x, noise, t, modelOutput: x });
  await backend.timestepEmbedding({ t: [1, 7], dim: 7 });
  await backend.randomNormal({ shape, seed: 1, stream: 2 });
  const learned = gaussianTensor([2, 4, 3, 3], 1, 3);
  for (const options of [
    { prediction: 'eps', variance: 'fixed_small', clip: true },
    { prediction: 'x0', variance: 'fixed_large' },
    { prediction: 'v', variance: 'learned_range', clip: true, eta: 0.5 },
  ] as ReverseOptions[]) {
    const modelOutput = options.variance === 'learned_range' ? learned : noise;
    await backend.pMeanVariance({ schedule, xt: x, t, modelOutput, options });
    await backend.ddpmStep({ schedule, xt: x, t, modelOutput, noise, options });
    await backend.ddimStep({ schedule, xt: x, t, tPrev: [4, 10], modelOutput, noise, options });
    await backend.ddimReverseStep({
      schedule,
      xt: x,
      t: [4, 10],
      tNext: t,
      modelOutput,
      options: { ...options, eta: 0 },
    });
  }
  const conv: ModelSpec = { architecture: 'simple-conv', channels: 2, height: 3, width: 3 };
  const mlp = (activation: 'relu' | 'gelu'): ModelSpec => ({
    architecture: 'mlp',
    ...MLP_DEFAULTS,
    hidden: 8,
    layers: 2,
    embeddingDim: 5,
    activation,
  });
  for (const model of [conv, mlp('relu'), mlp('gelu')]) {
    const data = gaussianTensor(model.architecture === 'mlp' ? [3, 2] : shape, 2, 0);
    const params = initialWeights(model, 1);
    const training = backend.training!;
    await training.lossAndGradients({
      model,
      weights: params,
      schedule,
      x0: data,
      t: [1, 20, 7].slice(0, data.shape[0]),
      noise: gaussianTensor(data.shape, 2, 1),
    });
    const trainer = await training.createTrainer(
      model,
      schedule,
      { step: 0, params, m: zerosLike(params), v: zerosLike(params) },
      { adam: DEFAULT_ADAM, seed: 1, clipGradNorm: 1, emaDecay: 0.99 },
    );
    for (let step = 0; step < 2; step++) await trainer.step(data);
    await trainer.state();
    trainer.dispose();
    const denoiser = await training.denoiser(model, params, schedule.T);
    await backend.sampleDdpm({ schedule, shape: data.shape, model: denoiser.model, seed: 1 });
    denoiser.dispose();
  }
  // The layers of U-Nets, attention and DiT: every architecture kernel with each option, then a training step and a
  // sampling run of each small architecture model (U-Net with both skip forms, with attention, DiT).
  const kernels = ortKernels(engine);
  const layers = kernels.training!.architecture!;
  const upload = (shape: number[], stream: number) => kernels.upload(gaussianTensor(shape, 4, stream)) as Deferred;
  const [a, b, image, weight, bias] = [
    upload([2, 3, 4], 0),
    upload([2, 3, 4], 1),
    upload([2, 3, 7, 6], 2),
    upload([4, 3, 3, 3], 3),
    upload([4], 4),
  ];
  const outputs = await Promise.all([
    layers.reshape(a, [6, 4]),
    layers.transpose(image, [0, 2, 3, 1]),
    // [2, 3, 4] [2, 4, 5] under each transposition.
    ...[false, true].flatMap((ta) =>
      [false, true].map((tb) =>
        layers.batchMatMul(upload(ta ? [2, 4, 3] : [2, 3, 4], 5), upload(tb ? [2, 5, 4] : [2, 4, 5], 6), ta, tb),
      ),
    ),
    layers.softmax(a, 0.5),
    layers.softmaxBackward(a, b, 0.5),
    layers.normalize(image, 4, 1e-5),
    layers.normalizeBackward(a, 2, 1e-5, b),
    layers.broadcastTo(bias, [2, 4]),
    layers.sumTo(a, [2, 1, 4]),
    layers.sumTo(a, [2, 3, 4]),
    layers.silu(a),
    layers.siluBackward(a, b),
  ]);
  // Stride 2 at an odd and an even height (the input gradient's output padding 0 and 1), padding 0 and 1.
  for (const padding of [0, 1]) {
    const y = await layers.stridedConv2d(image, weight, bias, padding, 2);
    const g = await layers.stridedConv2dBackward(image, weight, y, padding, 2);
    outputs.push(y, g.dx, g.dWeight, g.dBias);
  }
  for (const d of outputs) await kernels.download(d);
  for (const d of [...outputs, a, b, image, weight, bias]) kernels.dispose(d);
  for (const model of SMALL_MODELS) {
    const data = gaussianTensor([2, model.channels, model.height, model.width], 5, 0);
    const params = randomWeights(model, 5);
    const labels = someLabels(2, model.classes!);
    await backend.training!.lossAndGradients({
      model,
      weights: params,
      schedule,
      x0: data,
      t: [3, 17],
      noise: gaussianTensor(data.shape, 5, 1),
      labels,
    });
    const denoiser = await backend.training!.denoiser(model, params, schedule.T, labels);
    await backend.sampleDdpm({ schedule, shape: data.shape, model: denoiser.model, seed: 1 });
    denoiser.dispose();
  }
  for (const model of [conv, { ...mlp('gelu'), embeddingDim: 6 }])
    models.push(await exportDenoiser(model, initialWeights(model, 2), schedule.T));
  const param = gaussianTensor([3, 2], 3, 0);
  await backend.training!.adamStep({
    param,
    grad: param,
    m: param,
    v: zerosLike({ v: param }).v,
    step: 1,
    hyper: DEFAULT_ADAM,
  });
  return models;
}

describe.skipIf(!ortSelected)('ort: generated ONNX graphs', () => {
  it('every generated graph passes onnx.checker.check_model(full_check=True)', async (ctx) => {
    const available = runChecker([]);
    if (available.missing)
      return ctx.skip(
        `python3-onnx is not installed for /usr/bin/python3 (scripts/setup-python.sh): ${available.missing}`,
      );
    const models = await generatedModels();
    const directory = mkdtempSync(join(tmpdir(), 'diffspec-onnx-'));
    try {
      const paths = models.map((model, i) => {
        const path = join(directory, `graph${i}.onnx`);
        writeFileSync(path, model);
        return path;
      });
      const checked = runChecker(paths);
      expect(checked.failures).toEqual([]);
      // The fused training step is among them: forward, L_simple, backward and Adam of simple-conv in one graph.
      expect(checked.largest).toBeGreaterThan(150);
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });
});
