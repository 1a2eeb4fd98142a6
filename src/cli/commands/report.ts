import { existsSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { defineCommand } from '../command.js';
import { option } from '../options.js';
import { text, type ValueType } from '../values.js';

/** A conformance report folder: an existing folder holding results.json, as an absolute path. */
const reportFolder: ValueType<string> = {
  placeholder: 'DIR',
  expected: 'a conformance report folder (holding results.json)',
  parse: (raw) =>
    raw !== '' && existsSync(join(raw, 'results.json')) && statSync(raw).isDirectory() ? resolve(raw) : undefined,
};

export const reportCommand = defineCommand({
  name: 'report',
  summary: 'combine the report folders of a sharded conformance run into one report',
  description: `Reads each folder written by diffspec conformance --shard i/n and writes one report (results.json,
junit.xml, summary.md, index.html, trend.json) whose counts equal those of the unsharded run: the checks' records are
replayed from the shards' vitest blob reports (DIR/blob/) by vitest's merge, through the reporter an unsharded run
uses, and the run's facts (seed, filter, backends that did not run) come from DIR/results.json. The shards
must share the suite seed and filter, and no check may appear twice. The merged index.html has no forward-diffusion
strips (each shard's own report has them).`,
  options: {
    merge: option(reportFolder, { list: true, required: true, description: 'the report folders of the shards' }),
    out: option(text('DIR'), { default: join('reports', 'conformance'), description: 'folder for the merged report' }),
  },
  exitStatus: {
    0: 'every check of every shard passed, or failed as its expectations file says',
    1: 'a check failed unexpectedly, a shard recorded a run error, or the folders cannot be merged',
  },
  examples: ['diffspec report --merge shard-1 --merge shard-2 --out reports/conformance'],
  async run({ merge: dirs, out: outDir }) {
    const [{ mergeReports, readReport }, { replayBlobs }, { writeReport }, summary, { runFailed }] = await Promise.all([
      import('../../report/merge.js'),
      import('../../report/blobs.js'),
      import('../../report/write.js'),
      import('../../report/summary.js'),
      import('../../report/results.js'),
    ]);
    const parts = await Promise.all(dirs.map(async (dir) => ({ dir, report: await readReport(dir) })));
    const report = mergeReports(parts, await replayBlobs(dirs));
    const out = resolve(outDir);
    await writeReport(out, report, []);
    process.stdout.write(`${summary.textTable(summary.summaryTable(report))}\n`);
    process.stdout.write(summary.failureText(report));
    const merged = `${parts.length} report folders (${report.run.mergedFrom?.join(', ')})`;
    process.stdout.write(
      `\n${summary.verdict(report)}: merged from ${merged}\nreport: ${relative(process.cwd(), out) || '.'}/\n`,
    );
    return runFailed(report) ? 1 : 0;
  },
});
