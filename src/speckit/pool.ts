// How `diffspec conformance` spreads its work over the cores. Each spec file is one group run on every selected
// backend, and each backend runs in a process of its own (src/isolation): the vitest worker only sends checks to
// those processes and waits, so it is the backends' processes, not vitest workers, that need a core each.
import { availableParallelism } from 'node:os';

/** How many backends run checks at once in a spec file (src/speckit/vitest.ts): one per core. */
export function backendsAtOnce(): number {
  return availableParallelism();
}

/**
 * One vitest worker for the whole run (isolate: false keeps its modules across the spec files), so that each
 * backend's process is started once per run, not once per worker or file; within a file the backends run side by
 * side, `backendsAtOnce()` at a time (vitest's maxConcurrency), each its checks one after another. A check that timed
 * out cannot run on into the next file: its process was killed.
 */
export function conformancePoolOptions() {
  return { maxWorkers: 1, isolate: false, maxConcurrency: backendsAtOnce() };
}
