import type { DataSource } from '../training/checkpoint.js';
import type { Tensor } from '../tensor.js';
import { loadImageFolder } from './images.js';
import { toyDataset } from './toy2d.js';

/** The training items of a data source: [N, 2] points or [N, 3, size, size] images in [-1, 1]. */
export async function loadData(source: DataSource): Promise<Tensor> {
  return source.kind === 'toy' ? toyDataset(source.name, source.points, source.seed) : loadImageFolder(source.folder, source.size);
}
