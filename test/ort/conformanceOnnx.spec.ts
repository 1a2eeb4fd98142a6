// `diffspec conformance --model-onnx FILE`: the PyTorch-exported SimpleDenoiseModel (test/fixtures/onnx) driven by
// the cpu reference's DDPM and DDIM loops, step by step against the float64 steps (spec/groups/denoiser.ts). The
// option alone runs the denoiser group, and the report names the model; a file that is not ONNX is bad input
// naming the option, before any check runs.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import type { ConformanceReport } from '../../src/report/results.js';
import { runCli } from '../commands/run-cli.js';
import { ortSelected } from './selection.js';

const FIXTURE = fileURLToPath(new URL('../fixtures/onnx/simple-denoise.onnx', import.meta.url));

describe.skipIf(!ortSelected)('diffspec conformance --model-onnx', () => {
  const dir = mkdtempSync(join(tmpdir(), 'diffspec-onnx-conformance-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('drives the exported SimpleDenoiseModel through the loops and names it in the report', () => {
    const out = join(dir, 'report');
    const run = runCli(['conformance', '--model-onnx', FIXTURE, '--backend', 'cpu', '--out', out]);
    expect(run.status, run.stdout + run.stderr).toBe(0);
    const report = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as ConformanceReport;
    expect(report.run.modelOnnx).toBe(FIXTURE);
    expect(report.run.groups).toEqual(['denoiser']);
    expect(report.results.map((r) => [r.group, r.status])).toEqual([
      ['denoiser', 'pass'],
      ['denoiser', 'pass'],
      ['denoiser', 'pass'],
    ]);
    expect(readFileSync(join(out, 'summary.md'), 'utf8')).toContain(`ONNX denoiser \`${FIXTURE}\``);
  });

  it('names the option of a file that is not ONNX', () => {
    const junk = join(dir, 'junk.onnx');
    writeFileSync(junk, 'not a model');
    const run = runCli(['conformance', '--model-onnx', junk, '--backend', 'cpu', '--out', join(dir, 'junk')]);
    expect(run.status).not.toBe(0);
    expect(run.stderr).toMatch(/--model-onnx/);
  });
});
