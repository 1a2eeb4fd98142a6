import { readdir, stat } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { DiffspecInputError, requireInput } from '../errors.js';
import type { Tensor } from '../tensor.js';

const IMAGE_EXTENSIONS = new Set(['.png', '.jpg', '.jpeg']);

/**
 * Loads every PNG/JPEG in a folder (sorted by name, not recursive) as RGB, resized to size x size (centre crop
 * to a square, then scaled), normalised to [-1, 1] as x / 127.5 - 1: a [N, 3, size, size] tensor.
 */
export async function loadImageFolder(folder: string, size: number): Promise<Tensor> {
  const info = await stat(folder).catch(() => undefined);
  requireInput(info?.isDirectory(), 'data', `${JSON.stringify(folder)} is neither a built-in data set nor a folder`);
  const files = (await readdir(folder)).filter((f) => IMAGE_EXTENSIONS.has(extname(f).toLowerCase())).sort();
  requireInput(files.length > 0, 'data', `folder ${JSON.stringify(folder)} holds no .png, .jpg or .jpeg images`);
  const { default: sharp } = await import('sharp');
  const pixels = size * size;
  const data = new Float64Array(files.length * 3 * pixels);
  for (const [n, file] of files.entries()) {
    let raw: Buffer;
    try {
      raw = await sharp(join(folder, file))
        .removeAlpha()
        .toColourspace('srgb')
        .resize(size, size, { fit: 'cover' })
        .raw()
        .toBuffer();
    } catch (e) {
      throw new DiffspecInputError(
        'data',
        `cannot read image ${JSON.stringify(join(folder, file))}: ${(e as Error).message}`,
      );
    }
    requireInput(
      raw.length === 3 * pixels,
      'data',
      `image ${JSON.stringify(join(folder, file))} did not decode to RGB`,
    );
    for (let p = 0; p < pixels; p++)
      for (let c = 0; c < 3; c++) data[(n * 3 + c) * pixels + p] = raw[3 * p + c] / 127.5 - 1;
  }
  return { shape: [files.length, 3, size, size], data };
}

/** A grid of [N, C, H, W] images in [-1, 1] (C = 1 or 3), `columns` wide with a 2-pixel border, as PNG bytes. */
export async function imageGridPng(images: Tensor, columns: number): Promise<Buffer> {
  const [n, c, h, w] = images.shape;
  const rows = Math.ceil(n / columns);
  const border = 2;
  const width = columns * (w + border) + border;
  const height = rows * (h + border) + border;
  const out = Buffer.alloc(width * height * 3, 255);
  for (let i = 0; i < n; i++) {
    const x0 = border + (i % columns) * (w + border);
    const y0 = border + Math.floor(i / columns) * (h + border);
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++)
        for (let ch = 0; ch < 3; ch++) {
          const v = images.data[((i * c + (c === 3 ? ch : 0)) * h + y) * w + x];
          out[((y0 + y) * width + x0 + x) * 3 + ch] = Math.round(Math.min(1, Math.max(-1, v)) * 127.5 + 127.5);
        }
  }
  const { default: sharp } = await import('sharp');
  return sharp(out, { raw: { width, height, channels: 3 } })
    .png()
    .toBuffer();
}
