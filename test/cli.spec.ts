// The case-file CLI (`diffspec eval`), run as users and other-language
// harnesses run it: the built binary, real files and stdin.
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CASE_OPS } from '../src/cases/evaluate.js';
import type { Precision } from '../src/contract/backend.js';
import {
  meanSquaredErrorRoundings,
  meanSquaredErrorScale,
  type Operation,
  productRoundings,
  relativeBound,
  roundingsFor,
} from '../src/speckit/tolerance.js';

const CLI = join(import.meta.dirname, '..', 'dist', 'src', 'cli', 'main.js');
const CASES = join(import.meta.dirname, '..', 'examples', 'cases');

async function diffspec(args: string[], stdin?: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(process.execPath, [CLI, ...args], (error, stdout, stderr) =>
      resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
    if (stdin !== undefined) child.stdin!.end(stdin);
  });
}

const EXPECTED = join(CASES, 'expected');

const exampleFiles = readdirSync(CASES)
  .filter((f) => f.endsWith('.json'))
  .sort();

type CaseTensor = { shape: number[]; data: number[] };
type CaseAnswer = Record<string, CaseTensor | number[] | number>;

/** The float64 reference's answer to an example case, stored once: examples/cases/expected/<file>. */
const expected = (file: string): CaseAnswer => JSON.parse(readFileSync(join(EXPECTED, file), 'utf8')).outputs;

const valuesOf = (output: CaseTensor | number[] | number): number[] =>
  typeof output === 'number' ? [output] : Array.isArray(output) ? output : output.data;

const largest = (values: ArrayLike<number>) => Array.from(values).reduce((m, v) => Math.max(m, Math.abs(v)), 0);

/** The tolerance operation (src/speckit/tolerance.ts) of each tensor output of the example cases. */
const OUTPUT_OPERATION: Record<string, Record<string, Operation>> = {
  forward_step: { xt: 'forwardStep' },
  q_sample: { xt: 'qSample' },
  q_posterior: { mean: 'posteriorMean', variance: 'posteriorVariance', logVarianceClipped: 'posteriorVariance' },
  p_mean_variance: { mean: 'pMean', variance: 'pVariance', logVariance: 'pVariance', predX0: 'predX0' },
  ddpm_step: { prev: 'ddpmStep', predX0: 'predX0' },
  ddim_step: { prev: 'ddimStep', predX0: 'predX0' },
  ddim_reverse_step: { next: 'ddimReverseStep' },
  timestep_embedding: { embedding: 'timestepEmbedding' },
};

/**
 * The bound k (u_backend + u_float64) scale of one output, elementwise. The scale bounds the running sum of the
 * magnitudes of the terms: the largest magnitude of each input tensor, times 2 for the schedule coefficients (at
 * most 1/sqrt(alpha-bar_50) = 1.45 in these cases), plus the value itself (the log-variances); for the embedding, the
 * argument t f_j (|t| at most) plus 1. L_simple and the schedule tables have their own counts.
 */
function bounds(file: string, name: string, precision: Precision): (value: number) => number {
  const c = JSON.parse(readFileSync(join(CASES, file), 'utf8'));
  const inputs: Record<string, unknown> = c.inputs ?? {};
  const tensors = Object.values(inputs).filter(
    (v): v is CaseTensor => typeof v === 'object' && v !== null && 'data' in v,
  );
  if (c.op === 'schedule') return (v) => relativeBound(productRoundings(c.schedule.T), 'float64') * Math.abs(v);
  if (c.op === 'loss_simple') {
    const [noise, modelOutput] = [inputs.noise, inputs.modelOutput] as CaseTensor[];
    const n = noise.shape[0];
    const m = noise.data.length / n;
    const scale = largest(meanSquaredErrorScale(noise.data, modelOutput.data, n));
    const k = meanSquaredErrorRoundings(m) + (name === 'loss' ? n : 0);
    return () => relativeBound(k, precision) * scale;
  }
  const k = roundingsFor(OUTPUT_OPERATION[c.op][name], precision);
  if (c.op === 'timestep_embedding') {
    return (v) => relativeBound(k, precision) * (largest(inputs.t as number[]) + 1 + Math.abs(v));
  }
  const inputScale = 2 * tensors.reduce((sum, t) => sum + largest(t.data), 0);
  return (v) => relativeBound(k, precision) * (inputScale + Math.abs(v));
}

/** Each output of `file` within its bound of the stored float64 answer. */
function expectAnswer(file: string, outputs: CaseAnswer, precision: Precision): void {
  const stored = expected(file);
  expect(Object.keys(outputs).sort(), file).toEqual(Object.keys(stored).sort());
  for (const [name, output] of Object.entries(stored)) {
    if (typeof output === 'object' && !Array.isArray(output)) {
      expect((outputs[name] as CaseTensor).shape, `${file} ${name}`).toEqual(output.shape);
    }
    const bound = bounds(file, name, precision);
    const want = valuesOf(output);
    const got = valuesOf(outputs[name]);
    expect(got, `${file} ${name}`).toHaveLength(want.length);
    const outside = want.flatMap((w, i) =>
      Math.abs(got[i] - w) <= bound(w) ? [] : [`${name}[${i}] = ${got[i]}, stored ${w}, bound ${bound(w)}`],
    );
    expect(outside, file).toEqual([]);
  }
}

/** Hand-computed values: the stored answers are float64, so within a few units in the last place. */
function expectNear(actual: readonly number[], wanted: readonly number[]): void {
  expect(actual).toHaveLength(wanted.length);
  wanted.forEach((w, i) => {
    const error = Math.abs(actual[i] - w);
    expect(error, `[${i}] = ${actual[i]}, hand-computed ${w}`).toBeLessThanOrEqual(
      8 * 2 ** -53 * Math.max(1, Math.abs(w)),
    );
  });
}

describe('diffspec eval', () => {
  it('has an example case file for every operation', () => {
    expect(exampleFiles.map((f) => f.replace(/\.json$/, '')).sort()).toEqual(Object.keys(CASE_OPS).sort());
  });

  it("has the float64 reference's answer to every example case", () => {
    expect(readdirSync(EXPECTED).sort()).toEqual(exampleFiles);
  });

  it.each(exampleFiles)('evaluates examples/cases/%s to its stored answer', async (file) => {
    const { code, stdout, stderr } = await diffspec(['eval', '--case', join(CASES, file)]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expectAnswer(file, JSON.parse(stdout).outputs, 'float64');
  });

  it('evaluates every example case on float32 tfjs:cpu within the tolerance of src/speckit/tolerance.ts', async () => {
    const lines = exampleFiles.map((f) => readFileSync(join(CASES, f), 'utf8').trim());
    const { code, stdout, stderr } = await diffspec(['eval', '--backend', 'tfjs:cpu', '--case', '-'], lines.join('\n'));
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const answers = stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    exampleFiles.forEach((file, i) => expectAnswer(file, answers[i].outputs, 'float32'));
  });

  it('stores answers that hand-computed values confirm', () => {
    const stored = (op: string) => expected(`${op}.json`);
    // q_sample at t = 1: alpha-bar_1 = 1 - beta_1 = 0.9999, so x_1 = sqrt(0.9999) x_0 + 0.01 e.
    const qSample = stored('q_sample').xt as CaseTensor;
    expectNear(qSample.data.slice(0, 2), [Math.sqrt(0.9999) * 0.5 + 0.01 * 1, -Math.sqrt(0.9999) * 0.5]);
    // One forward step at t = 10 of linspace(1e-4, 0.06, 100): x_t = sqrt(1 - beta_10) x + sqrt(beta_10) e.
    const beta10 = 1e-4 + (9 * (0.06 - 1e-4)) / 99;
    const noise = [0.1, 0.2, -0.3, 1.5];
    const step = [0.5, -0.5, 1, 0].map((x, i) => Math.sqrt(1 - beta10) * x + Math.sqrt(beta10) * noise[i]);
    expectNear((stored('forward_step').xt as CaseTensor).data, step);
    // The posterior at t = 1 is x_0 with no variance.
    const posterior = stored('q_posterior');
    expectNear((posterior.mean as CaseTensor).data.slice(0, 2), [0.5, -0.5]);
    expectNear((posterior.variance as CaseTensor).data.slice(0, 2), [0, 0]);
    // L_simple: mean over the item of (e - e_theta)^2: ((0.1)^2 + (0.1)^2) / 2 and (0 + 0.5^2) / 2, and their mean.
    expectNear(stored('loss_simple').perSample as number[], [0.01, 0.125]);
    expectNear([stored('loss_simple').loss as number], [0.0675]);
    // Embedding, dim 5, P = 10000: f = [1, 10000^(-1/2)], [cos t f | sin t f | 0].
    const embedding = (stored('timestep_embedding').embedding as CaseTensor).data;
    expectNear(embedding.slice(0, 10), [1, 1, 0, 0, 0, Math.cos(1), Math.cos(0.01), Math.sin(1), Math.sin(0.01), 0]);
    // Cosine, T = 4: beta_1 = 1 - f(1)/f(0), f(t) = cos^2(((t/4 + 0.008)/1.008) pi/2); beta_4 clipped at 0.999.
    const f = (t: number) => Math.cos(((t / 4 + 0.008) / 1.008) * (Math.PI / 2)) ** 2;
    const betas = stored('schedule').betas as number[];
    expectNear([betas[0], betas[3]], [1 - f(1) / f(0), 0.999]);
  });

  it('answers q_sample with sqrt(alpha-bar) x0 + sqrt(1 - alpha-bar) e from stdin', async () => {
    const c = {
      op: 'q_sample',
      schedule: { betas: [0.1, 0.2] },
      inputs: { x0: { shape: [1, 1], data: [2] }, noise: { shape: [1, 1], data: [-1] }, t: [2] },
    };
    const { code, stdout } = await diffspec(['eval', '--case', '-'], JSON.stringify(c));
    expect(code).toBe(0);
    const ab = 0.9 * 0.8;
    expect(JSON.parse(stdout).outputs.xt.data[0]).toBeCloseTo(Math.sqrt(ab) * 2 - Math.sqrt(1 - ab), 14);
  });

  it('answers JSON Lines in order, one line per case, with errors in place', async () => {
    const lines = exampleFiles.map((f) => readFileSync(join(CASES, f), 'utf8').trim());
    lines.splice(
      2,
      0,
      '{"op":"q_sample","schedule":{"betas":[0.1]},"inputs":{"x0":{"shape":[1],"data":[1]},"noise":{"shape":[1],"data":[0]},"t":[2]}}',
    );
    const { code, stdout } = await diffspec(['eval', '--case', '-'], lines.join('\n'));
    const answers = stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(answers).toHaveLength(lines.length);
    expect(answers[2].error.field).toBe('inputs.t[0]');
    expect(answers.filter((a) => a.outputs)).toHaveLength(lines.length - 1);
    expect(code).toBe(1);
  });

  it.each([
    [
      '{"op":"q_sample","schedule":{"betas":[0.1]},"inputs":{"x0":{"shape":[1],"data":[1]},"noise":{"shape":[1],"data":[0]},"t":[0]}}',
      'inputs.t[0]',
    ],
    [
      '{"op":"q_sample","schedule":{"betas":[0.1]},"inputs":{"x0":{"shape":[1],"data":["NaN"]},"noise":{"shape":[1],"data":[0]},"t":[1]}}',
      'inputs.x0.data[0]',
    ],
    [
      '{"op":"q_sample","schedule":{"betas":[1.5]},"inputs":{"x0":{"shape":[1],"data":[1]},"noise":{"shape":[1],"data":[0]},"t":[1]}}',
      'schedule.betas[0]',
    ],
    ['{"op":"q_sample","schedule":{"kind":"linear","T":0,"betaStart":0.1,"betaEnd":0.2},"inputs":{}}', 'schedule.T'],
    [
      '{"op":"q_sample","schedule":{"betas":[0.1]},"inputs":{"x0":{"shape":[2],"data":[1,2]},"noise":{"shape":[1],"data":[0]},"t":[1]}}',
      'inputs.noise.shape',
    ],
    [
      '{"op":"p_mean_variance","schedule":{"betas":[0.1]},"inputs":{"xt":{"shape":[1],"data":[1]},"t":[1],"modelOutput":{"shape":[1],"data":[0]}},"options":{"prediction":"epsilon"}}',
      'options.prediction',
    ],
    ['{"op":"q_sample","schedule":{"betas":[0.1]},"inputs":{},"options":{"eta":1}}', 'options.eta'],
    ['{"op":"denoise"}', 'op'],
    ['{"op":"q_sample","extra":1}', 'extra'],
    ['{"op":"q_sample"', 'case'],
  ])('rejects %s naming %s, with exit status 1', async (text, field) => {
    const { code, stdout, stderr } = await diffspec(['eval', '--case', '-'], text);
    expect(code).toBe(1);
    expect(JSON.parse(stdout).error.field).toBe(field);
    expect(stderr).toContain(field);
  });

  it('prints usage for --help and a usage error without --case', async () => {
    expect((await diffspec(['eval', '--help'])).stdout).toContain('--case FILE');
    const missing = await diffspec(['eval']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('--case');
  });

  it('names an unknown backend', async () => {
    const { code, stderr } = await diffspec(['eval', '--backend', 'nosuch', '--case', join(CASES, exampleFiles[0])]);
    expect(code).not.toBe(0);
    expect(stderr).toContain('nosuch');
  });
});
