import type { SpecRecord } from '../speckit/context.js';
import type { Expectation } from '../speckit/expectations.js';

/** xfail: failed as its backend's expectations say; xpass: expected to fail, but passed. */
export type Status = 'pass' | 'fail' | 'skip' | 'xfail' | 'xpass';
const STATUSES: readonly Status[] = ['fail', 'xpass', 'xfail', 'skip', 'pass'];

/** Measured error against the float64 reference: the worst over the check's accuracy records. */
export interface MeasuredError {
  maxAbsError: number;
  maxRelError: number;
  /** Worst |error| / bound; above 1 fails. */
  worstErrorToBound: number;
}

/** One (backend, check) result of a conformance run: one record of results.json. */
export interface CheckResultRecord {
  backend: string;
  group: string;
  check: string;
  kind: string;
  status: Status;
  timeMs: number;
  seed: number;
  suiteSeed: number;
  error?: MeasuredError;
  message?: string;
  replay?: string;
  expectation?: Expectation;
  records: SpecRecord[];
}

export interface BackendInfo {
  name: string;
  precision?: string;
  metadata?: Readonly<Record<string, string>>;
  /** Why the backend did not run here (unavailable, or failed to load). */
  unavailable?: string;
  /** The backend could not be loaded or is no backend object: none of its checks ran, and the run fails. */
  loadFailed?: boolean;
}

interface RunInfo {
  startedAt: string;
  durationMs: number;
  suiteSeed: number;
  filter?: string;
  /** The ONNX denoiser the denoiser group drove (`--model-onnx`); absent: diffspec's simple-conv exported to ONNX. */
  modelOnnx?: string;
  /** Spec group ids in reading order (tables follow it, failing groups first). */
  groups?: string[];
  versions: { diffspec: string; node: string; vitest: string };
  backends: BackendInfo[];
  /** The part of the checks this run ran (`--shard i/n`), when it ran a part. */
  shard?: string;
  /** The shards a merged report was made from (`diffspec report --merge`). */
  mergedFrom?: string[];
}

export interface ConformanceReport {
  run: RunInfo;
  results: CheckResultRecord[];
  /** Errors outside any check (a spec file that did not load): each makes the run fail. */
  errors: string[];
}

export type Counts = Record<Status, number>;

export function countStatuses(results: readonly CheckResultRecord[]): Counts {
  const counts: Counts = { pass: 0, fail: 0, skip: 0, xfail: 0, xpass: 0 };
  for (const r of results) counts[r.status]++;
  return counts;
}

/** The worst error over a check's accuracy records, or undefined when it measured none. */
export function measuredError(records: readonly SpecRecord[]): MeasuredError | undefined {
  const accuracy = records.filter((r) => r.kind === 'accuracy');
  if (accuracy.length === 0) return undefined;
  return {
    maxAbsError: Math.max(...accuracy.map((r) => r.maxAbsError)),
    maxRelError: Math.max(...accuracy.map((r) => r.maxRelError)),
    worstErrorToBound: Math.max(...accuracy.map((r) => r.worstErrorToBound)),
  };
}

/** The backends that could not be loaded: their checks did not run. */
export const backendsNotLoaded = (report: ConformanceReport) => report.run.backends.filter((b) => b.loadFailed);

/** A run fails when a check failed unexpectedly, a spec file could not run or a backend could not be loaded. */
export const runFailed = (report: ConformanceReport) =>
  report.errors.length > 0 || backendsNotLoaded(report).length > 0 || report.results.some((r) => r.status === 'fail');

/** Results ordered for reading: failures first, then by backend, group and check. */
export function orderedResults(results: readonly CheckResultRecord[]): CheckResultRecord[] {
  return [...results].sort(
    (a, b) =>
      STATUSES.indexOf(a.status) - STATUSES.indexOf(b.status) ||
      a.backend.localeCompare(b.backend) ||
      a.group.localeCompare(b.group) ||
      a.check.localeCompare(b.check),
  );
}
