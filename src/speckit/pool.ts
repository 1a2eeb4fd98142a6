// How `diffspec conformance` spreads the spec files over vitest workers. Each spec file is one group run on
// every selected backend, and the training group, which trains models end to end, is the longest.
import { availableParallelism } from 'node:os';
import { relative } from 'node:path';
import { BaseSequencer, type TestSpecification } from 'vitest/node';
import { SPEC_GROUPS } from '../../spec/groups/index.js';

/** Groups in the order their files start when vitest has no durations from an earlier run: training first. */
function groupsByExpectedCost(): string[] {
  const trains = (id: string) =>
    SPEC_GROUPS.find((g) => g.id === id)!.checks.filter((c) => c.requires.includes('training')).length;
  return SPEC_GROUPS.map((g) => g.id).sort((a, b) => trains(b) - trains(a));
}

/**
 * Longest file first, so that the last file to start is a short one: by the durations vitest cached from the last
 * run, or, lacking them, groups with the most training checks first.
 */
class LongestFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const cacheKey = (f: TestSpecification) => `${f.project.name}:${relative(this.ctx.config.root, f.moduleId)}`;
    const known = files.every((f) => this.ctx.cache.getFileTestResults(cacheKey(f)));
    if (known) return super.sort(files);
    const order = groupsByExpectedCost();
    const rank = (f: TestSpecification) => order.findIndex((id) => f.moduleId.endsWith(`/${id}.spec.ts`));
    return [...files].sort((a, b) => rank(a) - rank(b));
  }
}

/**
 * One worker per core: vitest's default leaves one core to its main process, which here only collects results.
 * A worker runs file after file (isolate: false), so that each backend's process (src/isolation) is started once per
 * worker, not once per file: a check that timed out cannot run on into the next file, since its process was killed.
 */
export function conformancePoolOptions() {
  return { maxWorkers: availableParallelism(), isolate: false, sequence: { sequencer: LongestFirstSequencer } };
}
