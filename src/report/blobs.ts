import { copyFile, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packageRoot } from '../paths.js';
import { ConformanceCollector } from './collector.js';
import type { CheckResultRecord } from './results.js';

/**
 * The folder of a shard's report that holds vitest's blob report (`--reporter=blob`): the shard's whole vitest task
 * tree, with each check's diffspec metadata. vitest's merge reads every file of a folder, so the blob has its own.
 */
const BLOB_FOLDER = 'blob';

/** The vitest blob reporter of a shard run writing into report folder `out`, as createVitest takes a reporter. */
export function blobReporter(out: string, shard: string): ['blob', { outputFile: string }] {
  return ['blob', { outputFile: join(out, BLOB_FOLDER, `blob-${shard.replace('/', '-')}.json`) }];
}

/** Removes the blob report of an earlier run from report folder `out`, so that a folder never pairs stale blobs. */
export async function clearBlobs(out: string): Promise<void> {
  await rm(join(out, BLOB_FOLDER), { recursive: true, force: true });
}

/** The blob files of a report folder: none for a folder written before blobs, or by an unsharded run. */
async function blobsOf(dir: string): Promise<string[]> {
  const names = await readdir(join(dir, BLOB_FOLDER)).catch(() => []);
  return names.filter((n) => n.endsWith('.json')).map((n) => join(dir, BLOB_FOLDER, n));
}

/**
 * The check records of the shards, replayed from their blob reports by vitest's merge (`--merge-reports`) through the
 * reporter an unsharded run uses (ConformanceCollector): the merged records are those an unsharded run makes. Undefined
 * when a folder has no blob (its results.json is then all there is).
 */
export async function replayBlobs(dirs: readonly string[]): Promise<CheckResultRecord[] | undefined> {
  const blobs = await Promise.all(dirs.map(blobsOf));
  if (blobs.some((b) => b.length === 0)) return undefined;
  const folder = await mkdtemp(join(tmpdir(), 'diffspec-blobs-'));
  try {
    // Numbered copies: two shards' blobs never overwrite each other, whatever their names.
    await Promise.all(blobs.flat().map((file, i) => copyFile(file, join(folder, `blob-${i}.json`))));
    const { createVitest } = await import('vitest/node');
    const collector = new ConformanceCollector({ write: () => true } as unknown as NodeJS.WritableStream);
    const root = packageRoot();
    const vitest = await createVitest('test', {
      root,
      config: join(root, 'vitest.config.ts'),
      watch: false,
      reporters: [collector],
    });
    try {
      await vitest.mergeReports(folder);
    } finally {
      await vitest.close();
    }
    return collector.results;
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
}
