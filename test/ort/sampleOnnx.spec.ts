// `diffspec sample --model-onnx FILE`: an image denoiser exported elsewhere (the PyTorch fixture) sampled with the
// reference backend's loops; the model runs on ONNX Runtime (backends/ort/onnxDenoiser.ts). Exactly one of
// --checkpoint and --model-onnx is a usage error otherwise; a file that is not ONNX is bad input naming the option.
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { sampleCommand } from '../../src/cli/commands/sample.js';
import { UsageError } from '../../src/cli/usage-error.js';
import { DiffspecInputError } from '../../src/errors.js';
import { ortSelected } from './selection.js';

const FIXTURE = fileURLToPath(new URL('../fixtures/onnx/simple-denoise.onnx', import.meta.url));

describe.skipIf(!ortSelected)('diffspec sample --model-onnx', () => {
  const dir = mkdtempSync(join(tmpdir(), 'diffspec-onnx-sample-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('samples the exported SimpleDenoiseModel and writes the grid', async () => {
    const out = join(dir, 'grid.png');
    expect(
      await sampleCommand.run(['--model-onnx', FIXTURE, '--sampler', 'ddim', '--steps', '3', '--n', '4', '--out', out]),
    ).toBe(0);
    expect(statSync(out).size).toBeGreaterThan(100);
  });

  it('takes one of --checkpoint and --model-onnx, and names the option of a file that is not ONNX', async () => {
    await expect(sampleCommand.run(['--n', '4'])).rejects.toThrow(UsageError);
    await expect(sampleCommand.run(['--model-onnx', FIXTURE, '--checkpoint', dir])).rejects.toThrow(UsageError);
    const junk = join(dir, 'junk.onnx');
    writeFileSync(junk, 'not a model');
    await expect(sampleCommand.run(['--model-onnx', junk])).rejects.toThrow(DiffspecInputError);
    await expect(sampleCommand.run(['--model-onnx', junk])).rejects.toThrow(/--model-onnx/);
  });
});
