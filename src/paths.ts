import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let root: string | undefined;

/** The diffspec package's root folder (holds package.json, spec/, expectations/), from src or dist alike. */
export function packageRoot(): string {
  if (root) return root;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && JSON.parse(readFileSync(manifest, 'utf8')).name === 'diffspec') {
      root = dir;
      return root;
    }
    const parent = dirname(dir);
    if (parent === dir)
      throw new Error(`cannot find the diffspec package root above ${fileURLToPath(import.meta.url)}`);
    dir = parent;
  }
}

/** diffspec's own version, for reports. */
export function packageVersion(): string {
  return JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')).version;
}
