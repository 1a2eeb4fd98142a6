import { describe, it } from 'vitest';
import { SPEC_GROUPS } from '../../spec/groups/index.js';
import type { DiffusionBackend } from '../contract/backend.js';
import { metadataWithProfile } from '../conventions/profile.js';
import { checkId, type SpecGroup } from './check.js';
import { SpecFailure, type SpecRecord } from './context.js';
import { type BackendExpectations, type Expectation, expectationFor, expectationsFromEnv } from './expectations.js';
import type { Participant } from './participant.js';
import { replayCommand, runCheck } from './runner.js';
import { checkSeed, suiteSeedFromEnv } from './seed.js';
import { selectedBackendNames } from './selection.js';
import { CHECK_TIMEOUT_MS, MIN_LOAD_TIMEOUT_MS } from './timeout.js';

/** What a check ran and measured, kept on the vitest task for reporters (src/report). */
interface DiffspecTaskMeta {
  backend: string;
  group: string;
  check: string;
  kind: string;
  seed: number;
  suiteSeed: number;
  replay: string;
  records: SpecRecord[];
  /** Set when the backend's expectations cover this check. */
  expectation?: Expectation;
  /** xfail: failed as expected; xpass: an expected failure passed. */
  outcome?: 'xfail' | 'xpass';
  /** The failure message of an expected failure. */
  message?: string;
  /** The backend's precision and metadata, when it could be created. */
  precision?: string;
  metadata?: Readonly<Record<string, string>>;
}

declare module 'vitest' {
  interface TaskMeta {
    diffspec?: DiffspecTaskMeta;
  }
}

export { CHECK_TIMEOUT_MS } from './timeout.js';

export interface RegistrationOptions {
  suiteSeed: number;
  expectations: readonly BackendExpectations[];
  /**
   * Whether the backends run side by side (each its checks one after another), as many at once as vitest's
   * maxConcurrency allows: only for backends in processes of their own, which cannot disturb one another.
   */
  sideBySide?: boolean;
}

/** The time a backend gets to load, again after a crash: at least the check limit (src/speckit/timeout.ts). */
const LOAD_TIMEOUT_MS = Math.max(CHECK_TIMEOUT_MS, MIN_LOAD_TIMEOUT_MS);

/** vitest's own limit for a check of an isolated backend: a backstop behind the host's, with room for a restart. */
const ISOLATED_TEST_TIMEOUT_MS = CHECK_TIMEOUT_MS + LOAD_TIMEOUT_MS + 10_000;

/**
 * Registers a group's checks for the given backends: tests are named "<group> > <backend> > <check>".
 * A backend that cannot run here is reported as skipped with its reason; one that failed to load fails
 * every check with the reason; the expectations turn known gaps into xfail or skip.
 */
export function describeGroupFor(
  group: SpecGroup,
  backends: readonly Participant[],
  { suiteSeed, expectations, sideBySide = false }: RegistrationOptions,
): void {
  describe(group.id, () => {
    for (const r of backends) {
      describe(r.name, { concurrent: sideBySide }, () => {
        for (const check of group.checks) {
          const expectation = expectationFor(expectations, r.name, checkId(group, check));
          it(check.name, {
            concurrent: false,
            timeout: 'isolated' in r && r.isolated ? ISOLATED_TEST_TIMEOUT_MS : CHECK_TIMEOUT_MS,
          }, async (ctx) => {
            const replay = replayCommand(group, check, r, suiteSeed);
            const meta: DiffspecTaskMeta = {
              backend: r.name,
              group: group.id,
              check: check.name,
              kind: check.kind,
              seed: checkSeed(suiteSeed, checkId(group, check)),
              suiteSeed,
              replay,
              records: [],
              expectation,
            };
            ctx.task.meta.diffspec = meta;
            if ('failed' in r) throw new SpecFailure(`backend ${r.name} cannot be used: ${r.failed}`);
            if ('skipped' in r) return ctx.skip(`backend unavailable: ${r.skipped}`);
            meta.precision = r.precision;
            meta.metadata = r.metadata;
            if (expectation?.status === 'skip')
              return ctx.skip(`skipped by the expectations of ${r.name}: ${expectation.reason}`);
            const result = await r.runCheck(group, check, suiteSeed);
            meta.records = result.records;
            if (result.status === 'skip') return ctx.skip(result.message);
            if (expectation?.status === 'xfail') {
              if (result.status === 'pass') {
                meta.outcome = 'xpass';
                return;
              }
              meta.outcome = 'xfail';
              meta.message = result.message;
              return ctx.skip(`expected failure (${expectation.reason}): ${result.message}`);
            }
            if (result.status === 'fail')
              throw new SpecFailure(
                `${result.message}\n  suite seed ${suiteSeed}, check seed ${result.seed}\n  replay: ${replay}`,
              );
          });
        }
      });
    }
  });
}

const hosts: Record<string, Promise<Participant>> = {};

/**
 * Registers a spec group once per backend selected by DIFFSPEC_BACKENDS (names or module paths), each in a
 * process of its own (src/isolation), with the suite seed of DIFFSPEC_SEED and the expectations of
 * DIFFSPEC_EXPECTATIONS and expectations/<backend>.json. DIFFSPEC_BACKEND_HEAP_MB limits each process's heap;
 * DIFFSPEC_BACKENDS_AT_ONCE above 1 runs the backends side by side (`diffspec conformance`: src/speckit/pool.ts).
 */
export async function describeSpecGroup(group: SpecGroup): Promise<void> {
  const { isolatedBackend } = await import('../isolation/isolated.js');
  const heapMb = process.env.DIFFSPEC_BACKEND_HEAP_MB ? Number(process.env.DIFFSPEC_BACKEND_HEAP_MB) : undefined;
  const limits = { checkTimeoutMs: CHECK_TIMEOUT_MS, loadTimeoutMs: LOAD_TIMEOUT_MS, heapMb };
  // One process per backend and vitest worker, kept for the worker's next spec files (a process ends with its
  // worker: src/isolation/host.ts exits when its parent goes); `diffspec conformance` runs one worker.
  const backends = await Promise.all(
    selectedBackendNames().map((selector) => (hosts[selector] ??= isolatedBackend(selector, limits))),
  );
  describeGroupFor(group, backends, {
    suiteSeed: suiteSeedFromEnv(),
    expectations: expectationsFromEnv(backends.map((b) => b.name)),
    sideBySide: Number(process.env.DIFFSPEC_BACKENDS_AT_ONCE ?? 1) > 1,
  });
}

/** A backend object run in this process (no isolation: its checks' time limit is vitest's). */
export function inProcessParticipant(backend: DiffusionBackend, selector = backend.name): Participant {
  return {
    name: backend.name,
    selector,
    precision: backend.precision,
    metadata: metadataWithProfile(backend),
    isolated: false,
    runCheck: (group, check, suiteSeed) => runCheck(group, check, backend, suiteSeed),
  };
}

export interface ConformanceOptions {
  /** The suite seed (default: DIFFSPEC_SEED, else the fixed default). */
  seed?: number;
  /** Known gaps of this backend, as in an expectations file. */
  expectations?: Record<string, Expectation>;
  /** Only these spec groups (ids, e.g. ['forward']); default all. */
  groups?: readonly string[];
}

/**
 * Registers the whole diffspec suite for one backend inside a user's own vitest suite:
 *   import { describeConformance } from 'diffspec';
 *   describeConformance(myBackend);
 */
export function describeConformance(backend: DiffusionBackend, options: ConformanceOptions = {}): void {
  const groups = options.groups ? SPEC_GROUPS.filter((g) => options.groups!.includes(g.id)) : SPEC_GROUPS;
  const expectations = options.expectations ? [{ backend: backend.name, checks: options.expectations }] : [];
  const selected = inProcessParticipant(backend);
  for (const group of groups)
    describeGroupFor(group, [selected], { suiteSeed: options.seed ?? suiteSeedFromEnv(), expectations });
}
