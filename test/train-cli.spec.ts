// The training CLI and the weights format: checkpoints round-trip, every bad input is a clear error, and no
// failure loses an earlier checkpoint.
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sampleCommand } from '../src/cli/commands/sample.js';
import { CHECKPOINT_FILE, trainCommand } from '../src/cli/commands/train.js';
import { DiffspecInputError } from '../src/errors.js';
import { initialWeights } from '../src/models/init.js';
import { decodeWeights, encodeWeights } from '../src/models/weights.js';
import { decodeCheckpoint } from '../src/training/checkpoint.js';

const MLP = { architecture: 'mlp', dim: 2, hidden: 8, layers: 2, embeddingDim: 4, activation: 'gelu' } as const;
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'diffspec-train-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function expectInputError(p: Promise<unknown>, pattern: RegExp): Promise<void> {
  const error = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DiffspecInputError);
  expect((error as Error).message).toMatch(pattern);
}

describe('weights format', () => {
  const params = initialWeights(MLP, 3);
  const bytes = encodeWeights({ model: MLP, groups: { params }, meta: { note: 'x' } });

  it('round-trips names, shapes and float64 values exactly', () => {
    const decoded = decodeWeights(bytes);
    expect(decoded.model).toEqual(MLP);
    expect(decoded.meta).toEqual({ note: 'x' });
    for (const [name, t] of Object.entries(params)) {
      expect(decoded.groups.params[name].shape).toEqual(t.shape);
      expect(Array.from(decoded.groups.params[name].data)).toEqual(Array.from(t.data));
    }
  });

  it('rejects a flipped data byte, a truncated file, a foreign file and weights of another shape', () => {
    const flipped = Buffer.from(bytes);
    flipped[flipped.length - 3] ^= 0x40;
    expect(() => decodeWeights(flipped)).toThrow(/checksum mismatch/);
    expect(() => decodeWeights(bytes.subarray(0, bytes.length - 8))).toThrow(/truncated/);
    expect(() => decodeWeights(Buffer.from('PK\x03\x04 not ours'))).toThrow(/not a diffspec weights file/);
    expect(() =>
      decodeWeights(
        encodeWeights({ model: MLP, groups: { params: initialWeights({ ...MLP, hidden: 9 }, 3) }, meta: {} }),
      ),
    ).toThrow(/has shape \[9, 6\], the model needs \[8, 6\]/);
  });
});

describe('diffspec train and sample', () => {
  it('trains an mlp, resumes from its checkpoint, draws the loss curve and samples', async () => {
    const out = join(dir, 'mlp');
    expect(
      await trainCommand.run([
        '--out',
        out,
        '--steps',
        '4',
        '--batch',
        '16',
        '--hidden',
        '8',
        '--checkpoint-every',
        '2',
      ]),
    ).toBe(0);
    const first = decodeCheckpoint(await readFile(join(out, CHECKPOINT_FILE)));
    expect(first.state.step).toBe(4);
    expect(first.losses).toHaveLength(4);
    expect(await trainCommand.run(['--out', out, '--steps', '6'])).toBe(0);
    const resumed = decodeCheckpoint(await readFile(join(out, CHECKPOINT_FILE)));
    expect(resumed.state.step).toBe(6);
    expect(resumed.losses.slice(0, 4)).toEqual(first.losses);
    expect((await stat(join(out, 'loss.png'))).size).toBeGreaterThan(1000);
    expect(await sampleCommand.run(['--checkpoint', out, '--sampler', 'ddim', '--steps', '5', '--n', '50'])).toBe(0);
    expect((await stat(join(out, 'samples.png'))).size).toBeGreaterThan(1000);
  });

  it('trains simple-conv on a folder of images and writes a sample grid', async () => {
    const { default: sharp } = await import('sharp');
    const images = join(dir, 'images');
    await mkdir(images);
    for (let i = 0; i < 3; i++) {
      await sharp({ create: { width: 12, height: 10, channels: 3, background: { r: 80 * i, g: 40, b: 200 - 60 * i } } })
        .png()
        .toFile(join(images, `img${i}.png`));
    }
    const out = join(dir, 'conv');
    expect(
      await trainCommand.run([
        '--model',
        'simple-conv',
        '--data',
        images,
        '--size',
        '6',
        '--steps',
        '2',
        '--batch',
        '2',
        '--out',
        out,
      ]),
    ).toBe(0);
    const c = decodeCheckpoint(await readFile(join(out, CHECKPOINT_FILE)));
    expect(c.model).toEqual({ architecture: 'simple-conv', channels: 3, height: 6, width: 6 });
    expect(await sampleCommand.run(['--checkpoint', out, '--sampler', 'ddim', '--steps', '3', '--n', '4'])).toBe(0);
    expect((await stat(join(out, 'samples.png'))).size).toBeGreaterThan(100);
  });

  it('reports an empty folder and an unreadable image by name', async () => {
    const empty = join(dir, 'empty');
    await mkdir(empty);
    await expectInputError(
      trainCommand.run(['--model', 'simple-conv', '--data', empty, '--out', join(dir, 'e')]),
      /holds no \.png, \.jpg or \.jpeg images/,
    );
    const bad = join(dir, 'bad');
    await mkdir(bad);
    await writeFile(join(bad, 'broken.png'), 'not a png');
    await expectInputError(
      trainCommand.run(['--model', 'simple-conv', '--data', bad, '--out', join(dir, 'b')]),
      /cannot read image .*broken\.png/,
    );
  });

  it('stops a diverging run with a clear error and keeps the last finite checkpoint', async () => {
    const out = join(dir, 'diverging');
    const run = trainCommand.run([
      '--out',
      out,
      '--steps',
      '50',
      '--batch',
      '8',
      '--hidden',
      '8',
      '--clip',
      '0',
      '--lr',
      '1e300',
      '--checkpoint-every',
      '1',
    ]);
    await expectInputError(run, /training diverged at step (\d+).*keeps the last good state/);
    const kept = decodeCheckpoint(await readFile(join(out, CHECKPOINT_FILE)));
    expect(kept.state.step).toBeGreaterThan(0);
    for (const t of Object.values(kept.state.params)) expect(Array.from(t.data).every(Number.isFinite)).toBe(true);
  });

  it("resumes only with the run's own options, naming every one that differs from the checkpoint", async () => {
    const out = join(dir, 'options');
    const run = ['--out', out, '--hidden', '8', '--batch', '8', '--seed', '3'];
    expect(await trainCommand.run([...run, '--steps', '1'])).toBe(0);
    const differing = trainCommand.run(['--out', out, '--hidden', '8', '--batch', '4', '--lr', '0.5', '--points', '5']);
    // In the order of RUN_OPTIONS; --hidden 8 agrees with the checkpoint, so it is not named.
    await expectInputError(
      differing,
      new RegExp(
        "^--points: .* holds a checkpoint of another run: --points 5 \\(the checkpoint's: 10000\\), " +
          "--batch 4 \\(the checkpoint's: 8\\), --lr 0.5 \\(the checkpoint's: 0.001\\); " +
          'resume it without --points, --batch, --lr,',
      ),
    );
    expect(await trainCommand.run([...run, '--steps', '2', '--lr', '1e-3'])).toBe(0);
    expect(decodeCheckpoint(await readFile(join(out, CHECKPOINT_FILE))).state.step).toBe(2);
  });

  it('refuses a corrupt checkpoint or one of another model, and leaves it as it was', async () => {
    const out = join(dir, 'guarded');
    expect(await trainCommand.run(['--out', out, '--steps', '2', '--batch', '8', '--hidden', '8'])).toBe(0);
    const path = join(out, CHECKPOINT_FILE);
    const before = await readFile(path);
    await expectInputError(
      trainCommand.run(['--out', out, '--model', 'simple-conv', '--data', dir]),
      /--model: .* holds a checkpoint of another run/,
    );
    expect((await readFile(path)).equals(before)).toBe(true);
    const corrupt = Buffer.from(before);
    corrupt[corrupt.length - 1] ^= 1;
    await writeFile(path, corrupt);
    await expectInputError(trainCommand.run(['--out', out, '--steps', '4']), /checksum mismatch.*left as it is/);
    expect((await readFile(path)).equals(corrupt)).toBe(true);
    await expectInputError(sampleCommand.run(['--checkpoint', path]), /checksum mismatch/);
    await writeFile(path, before.subarray(0, 100));
    await expectInputError(trainCommand.run(['--out', out, '--steps', '4']), /truncated/);
  });
});
