// diffspec forward: the seed's forward demonstration on the built-in image, from the command's own entry.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import '../../backends/index.js';
import { cpuBackend } from '../../backends/cpu/index.js';
import { UsageError } from '../../src/cli/command.js';
import { forwardCommand } from '../../src/cli/commands/forward.js';
import { defaultImagePath, forwardFrames, loadImage } from '../../src/forward/strip.js';
import { SEED_SCHEDULE } from '../../src/schedule/spec.js';
import { scheduleTables } from '../../src/schedule/tables.js';

const dir = mkdtempSync(join(tmpdir(), 'diffspec-forward-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('diffspec forward', () => {
  it('writes a strip wider than the image by the number of steps, with no arguments but --out', async () => {
    const out = join(dir, 'strip.png');
    expect(await forwardCommand.run(['--out', out])).toBe(0);
    const { width, height } = await sharp(out).metadata();
    const image = await sharp(defaultImagePath()).metadata();
    expect(width).toBeGreaterThan(4 * image.width!);
    expect(height).toBeGreaterThan(image.height!);
  });

  it('resizes with --size and draws the closed form with --closed-form', async () => {
    const out = join(dir, 'closed.png');
    expect(
      await forwardCommand.run([
        '--size',
        '24x16',
        '--closed-form',
        '--schedule',
        'cosine',
        '--steps',
        '0,100',
        '--out',
        out,
      ]),
    ).toBe(0);
    expect((await sharp(out).metadata()).width).toBeGreaterThan(2 * 24);
  });

  it('frames are the data at t = 0 and keep the variance q(x_t | x_0) gives at t = 100', async () => {
    const x0 = await loadImage(defaultImagePath());
    const [first, last] = await forwardFrames({
      backend: cpuBackend,
      x0,
      schedule: SEED_SCHEDULE,
      steps: [0, 100],
      seed: 3,
    });
    expect(first.x.data).toEqual(x0.data);
    // Per-pixel noise variance at t = 100 is 1 - alpha-bar_100 (Ho et al. 2020, eq. 4); over ~18k values the
    // sample variance of x_t - sqrt(alpha-bar) x_0 sits within 5% of it (a deterministic seed, no flake).
    const a = scheduleTables(SEED_SCHEDULE).alphaBar[100];
    const residual = Array.from(last.x.data, (v, i) => v - Math.sqrt(a) * x0.data[i]);
    const variance = residual.reduce((s, v) => s + v * v, 0) / residual.length;
    expect(Math.abs(variance / (1 - a) - 1)).toBeLessThan(0.05);
  });

  it('rejects steps beyond T and a malformed size, naming the option', async () => {
    await expect(forwardCommand.run(['--T', '50', '--steps', '0,60'])).rejects.toThrow(UsageError);
    await expect(forwardCommand.run(['--size', '12by8'])).rejects.toThrow(/--size/);
  });
});
