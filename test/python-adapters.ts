// What the tests of the Python reference adapters (examples/python-*) share: Debian's interpreter, the reason an
// adapter cannot run here, and the spec groups a program backend declares.
import { spawnSync } from 'node:child_process';
import { SPEC_GROUPS } from '../spec/groups/index.js';
import type { Capability } from '../src/contract/backend.js';

/** Debian's Python, which has Debian's python3-* packages (the `python3` on PATH may be another interpreter). */
export const PYTHON = '/usr/bin/python3';

/** Why PYTHON cannot import `modules` here, naming the Debian packages to install, or undefined. */
export function pythonUnavailable(modules: readonly string[], packages: readonly string[]): string | undefined {
  const probe = spawnSync(PYTHON, ['-c', `import ${modules.join(', ')}`], { encoding: 'utf8' });
  if (probe.error) return `${PYTHON} cannot run: ${probe.error.message}`;
  return probe.status === 0
    ? undefined
    : `${PYTHON} has no ${modules.join(' or ')} (apt-get install ${packages.join(' ')}; scripts/setup-python.sh)`;
}

/** The groups a backend with these capabilities declares: those with at least one check they cover. */
export const declaredGroups = (capabilities: readonly Capability[]) =>
  SPEC_GROUPS.filter((g) => g.checks.some((c) => c.requires.every((r) => capabilities.includes(r))));
