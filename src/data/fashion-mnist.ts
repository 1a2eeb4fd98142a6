import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DiffspecInputError, requireInput } from '../errors.js';
import type { Tensor } from '../tensor.js';
import { readIdx } from './idx.js';

/** Where Debian's dataset-fashion-mnist package installs the four gzipped IDX files. */
export const FASHION_MNIST_DIR = '/usr/share/datasets/fashion-mnist';
const FASHION_MNIST_PACKAGE = 'dataset-fashion-mnist';
/** Fashion-MNIST's ten classes, in label order (Xiao et al. 2017, table 1). */
const FASHION_MNIST_CLASSES = [
  'T-shirt/top',
  'Trouser',
  'Pullover',
  'Dress',
  'Coat',
  'Sandal',
  'Shirt',
  'Sneaker',
  'Bag',
  'Ankle boot',
];
export const FASHION_MNIST_SIZES = [16, 32] as const;
const SIDE = 28;

export interface LabelledImages {
  /** [N, 1, size, size] in [-1, 1] (float32: 60000 images of 32 x 32 are 245 MB). */
  items: Tensor;
  labels: Int32Array;
  classes: number;
}

// Area (box) resampling of one axis, n -> m: out_i = (n / m)^-1 integral over [i n/m, (i+1) n/m) of the piecewise
// constant input (each output averages the input cells it covers, with fractional weights at its edges)
function boxWeights(n: number, m: number): { from: number; weight: number }[][] {
  const ratio = n / m;
  return Array.from({ length: m }, (_, i) => {
    const [lo, hi] = [i * ratio, (i + 1) * ratio];
    const cells = [];
    for (let j = Math.floor(lo); j < Math.min(n, Math.ceil(hi)); j++)
      cells.push({
        from: j,
        weight: (Math.min(hi, j + 1) - Math.max(lo, j)) / ratio,
      });
    return cells;
  });
}

/**
 * Fashion-MNIST (Xiao et al. 2017) from the Debian package: the 60000 training or 10000 test images, 28 x 28 grey
 * levels, scaled to [-1, 1] (x / 127.5 - 1, as DDPM) and brought to size x size: 32 pads 2 background pixels on
 * each side, 16 resamples by area averaging. The labels are the classes 0..9.
 */
export async function loadFashionMnist(
  size: number,
  split: 'train' | 'test' = 'train',
  dir = FASHION_MNIST_DIR,
): Promise<LabelledImages> {
  requireInput(
    (FASHION_MNIST_SIZES as readonly number[]).includes(size),
    '--size',
    `Fashion-MNIST is 16 x 16 or 32 x 32, got ${size}`,
  );
  const prefix = split === 'train' ? 'train' : 't10k';
  const [imagesFile, labelsFile] = [
    join(dir, `${prefix}-images-idx3-ubyte.gz`),
    join(dir, `${prefix}-labels-idx1-ubyte.gz`),
  ];
  if (!existsSync(imagesFile) || !existsSync(labelsFile)) {
    throw new DiffspecInputError(
      '--data',
      `fashion-mnist needs the Debian package ${FASHION_MNIST_PACKAGE} (apt-get install ${FASHION_MNIST_PACKAGE}, ` +
        `or bash scripts/setup-datasets.sh): ${imagesFile} not found`,
    );
  }
  const images = readIdx(await readFile(imagesFile), imagesFile);
  const labels = readIdx(await readFile(labelsFile), labelsFile);
  requireInput(
    images.shape.length === 3 && images.shape[1] === SIDE && images.shape[2] === SIDE,
    imagesFile,
    `holds images of shape [${images.shape.join(', ')}], expected [N, 28, 28]`,
  );
  requireInput(
    labels.shape.length === 1 && labels.shape[0] === images.shape[0],
    labelsFile,
    `holds ${labels.shape[0]} labels for ${images.shape[0]} images`,
  );
  const n = images.shape[0];
  const out = new Float32Array(n * size * size);
  const pixel = (v: number) => v / 127.5 - 1;
  if (size > SIDE) {
    const pad = (size - SIDE) / 2;
    out.fill(-1);
    for (let k = 0; k < n; k++)
      for (let i = 0; i < SIDE; i++)
        for (let j = 0; j < SIDE; j++) {
          out[(k * size + i + pad) * size + j + pad] = pixel(images.data[(k * SIDE + i) * SIDE + j]);
        }
  } else {
    const weights = boxWeights(SIDE, size);
    for (let k = 0; k < n; k++)
      for (let i = 0; i < size; i++)
        for (let j = 0; j < size; j++) {
          let s = 0;
          for (const r of weights[i])
            for (const c of weights[j]) s += r.weight * c.weight * images.data[(k * SIDE + r.from) * SIDE + c.from];
          out[(k * size + i) * size + j] = pixel(s);
        }
  }
  return {
    items: { shape: [n, 1, size, size], data: out },
    labels: Int32Array.from(labels.data),
    classes: FASHION_MNIST_CLASSES.length,
  };
}
