import type { Tensor } from '../tensor.js';
import type { DataSource } from '../training/checkpoint.js';
import { loadFashionMnist } from './fashion-mnist.js';
import { loadImageFolder } from './images.js';
import { toyDataset } from './toy2d.js';

/** Training items, and their class labels 0..classes-1 where the data set has them. */
export interface Dataset {
  items: Tensor;
  labels?: Int32Array;
  classes?: number;
}

/** The training items of a data source: [N, 2] points, [N, 3, size, size] or [N, 1, size, size] images in [-1, 1]. */
export async function loadDataset(source: DataSource): Promise<Dataset> {
  switch (source.kind) {
    case 'toy':
      return { items: toyDataset(source.name, source.points, source.seed) };
    case 'images':
      return { items: await loadImageFolder(source.folder, source.size) };
    case 'fashion-mnist':
      return loadFashionMnist(source.size);
  }
}

/** The training items alone. */
export async function loadData(source: DataSource): Promise<Tensor> {
  return (await loadDataset(source)).items;
}
