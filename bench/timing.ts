/**
 * Median wall time of `runs` calls after one warm-up, in seconds:
 * machines are shared and noisy, so medians and same-run ratios only.
 */
export async function medianSeconds(fn: () => unknown | Promise<unknown>, runs = 5): Promise<number> {
  await fn();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = process.hrtime.bigint();
    await fn();
    times.push(Number(process.hrtime.bigint() - start) / 1e9);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

export interface BenchRow {
  benchmark: string;
  size: string;
  seconds: number;
  /** Throughput, e.g. elements per second. */
  rate?: string;
  /** Time relative to the baseline measured in the same run. */
  ratio?: number;
  baseline?: string;
  /** Why the benchmark did not run (its time is then not a measurement). */
  skipped?: string;
}

export function printTable(title: string, rows: BenchRow[]): void {
  console.log(`\n## ${title}\n`);
  console.log('| benchmark | size | median time | rate | vs baseline |');
  console.log('|---|---|---|---|---|');
  for (const r of rows) {
    if (r.skipped !== undefined) {
      console.log(`| ${r.benchmark} | ${r.size} | skipped | | ${r.skipped} |`);
      continue;
    }
    const vs = r.ratio === undefined ? '' : `${r.ratio.toFixed(2)}x ${r.baseline ?? ''}`;
    console.log(`| ${r.benchmark} | ${r.size} | ${(r.seconds * 1e3).toFixed(2)} ms | ${r.rate ?? ''} | ${vs} |`);
  }
}
