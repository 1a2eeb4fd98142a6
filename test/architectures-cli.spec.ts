// The new architectures from the command line: class-conditional training on Fashion-MNIST, guided sampling, the
// weights format for every architecture, and the errors that name their field.
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SMALL_MODELS } from '../spec/support/architectures.js';
import { sampleCommand } from '../src/cli/commands/sample.js';
import { CHECKPOINT_FILE, trainCommand } from '../src/cli/commands/train.js';
import { FASHION_MNIST_DIR, loadFashionMnist } from '../src/data/fashion-mnist.js';
import { readIdx } from '../src/data/idx.js';
import { DiffspecInputError } from '../src/errors.js';
import { initialWeights } from '../src/models/init.js';
import { parseModelSpec } from '../src/models/spec.js';
import { decodeWeights, encodeWeights } from '../src/models/weights.js';
import { decodeCheckpoint } from '../src/training/checkpoint.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'diffspec-architectures-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function inputError(p: Promise<unknown> | (() => unknown)): Promise<DiffspecInputError> {
  const error = await (typeof p === 'function' ? Promise.resolve().then(p) : p).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DiffspecInputError);
  return error as DiffspecInputError;
}

describe('model specs and weights of the new architectures', () => {
  it('round-trip through the weights format', () => {
    for (const model of SMALL_MODELS) {
      const params = initialWeights(model, 1);
      const decoded = decodeWeights(encodeWeights({ model, groups: { params }, meta: {} }));
      expect(decoded.model).toEqual(model);
      expect(Object.keys(decoded.groups.params)).toEqual(Object.keys(params));
    }
  });

  it('name the field of a size that does not divide, and of an unknown skip form', async () => {
    const unet = { ...SMALL_MODELS[0], levels: 3, height: 10 };
    expect((await inputError(() => parseModelSpec(unet))).field).toBe('model.height');
    expect((await inputError(() => parseModelSpec({ ...SMALL_MODELS[0], skip: 'sum' }))).field).toBe('model.skip');
    expect((await inputError(() => parseModelSpec({ ...SMALL_MODELS[3], width: 7 }))).field).toBe('model.width');
  });
});

describe('Fashion-MNIST', () => {
  it('reads a gzipped IDX file and rejects another format', async () => {
    const bytes = Uint8Array.from([0, 0, 8, 2, 0, 0, 0, 2, 0, 0, 0, 3, 1, 2, 3, 4, 5, 6]);
    const idx = readIdx(gzipSync(bytes), 'f');
    expect([idx.shape, Array.from(idx.data)]).toEqual([
      [2, 3],
      [1, 2, 3, 4, 5, 6],
    ]);
    expect((await inputError(() => readIdx(gzipSync(Uint8Array.from([0, 0, 13, 1, 0, 0, 0, 0])), 'f'))).field).toBe(
      'f',
    );
  });

  it('names the Debian package when it is not installed', async () => {
    const error = await inputError(loadFashionMnist(16, 'train', join(dir, 'nothing-here')));
    expect(error.message).toMatch(/dataset-fashion-mnist/);
  });

  it.skipIf(!existsSync(FASHION_MNIST_DIR))(
    'loads the 10000 test images at 16 and 32, in [-1, 1], with their labels',
    async () => {
      for (const size of [16, 32]) {
        const { items, labels, classes } = await loadFashionMnist(size, 'test');
        expect(items.shape).toEqual([10000, 1, size, size]);
        expect(classes).toBe(10);
        expect(Math.min(...labels)).toBe(0);
        expect(Math.max(...labels)).toBe(9);
        // Padding adds background (-1) only; area resampling keeps every value in range.
        expect(items.data.every((v) => v >= -1 && v <= 1)).toBe(true);
      }
    },
  );
});

describe('diffspec train and sample with classes', () => {
  it.skipIf(!existsSync(FASHION_MNIST_DIR))(
    'trains a class-conditional dit on fashion-mnist and samples it with guidance',
    async () => {
      const out = join(dir, 'dit');
      const args = ['--model', 'dit', '--data', 'fashion-mnist', '--size', '16', '--steps', '2', '--batch', '2'];
      expect(await trainCommand.run([...args, '--class-conditional', '--p-uncond', '0.5', '--out', out])).toBe(0);
      const checkpoint = decodeCheckpoint(await readFile(join(out, CHECKPOINT_FILE)));
      expect(checkpoint.model).toMatchObject({ architecture: 'dit', classes: 10, height: 16 });
      expect(checkpoint.config.options.pUncond).toBe(0.5);
      const png = join(out, 'guided.png');
      const sample = [
        '--checkpoint',
        out,
        '--guidance',
        '3',
        '--sampler',
        'ddim',
        '--steps',
        '2',
        '--n',
        '2',
        '--out',
        png,
      ];
      expect(await sampleCommand.run([...sample, '--class', '1'])).toBe(0);
      expect((await stat(png)).size).toBeGreaterThan(0);
      const badClass = await inputError(sampleCommand.run([...sample, '--class', '10']));
      expect(badClass.field).toBe('--class');
    },
    120_000,
  );

  it('refuses --class-conditional without labels and --guidance on an unconditional model, naming the option', async () => {
    const out = join(dir, 'mlp');
    const error = await inputError(trainCommand.run(['--class-conditional', '--steps', '1', '--out', join(dir, 'x')]));
    expect(error.field).toBe('--class-conditional');
    expect(await trainCommand.run(['--steps', '1', '--batch', '4', '--hidden', '4', '--out', out])).toBe(0);
    expect((await inputError(sampleCommand.run(['--checkpoint', out, '--guidance', '2', '--n', '4']))).field).toBe(
      '--guidance',
    );
  });
});
