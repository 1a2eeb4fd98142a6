import type { DiffusionBackend } from '../contract/backend.js';
import { resolveProfile } from '../conventions/profile.js';
import { inPaperTimesteps } from '../conventions/timesteps.js';
import { DiffspecInputError } from '../errors.js';
import { checkId, type SpecCheck, type SpecGroup } from './check.js';
import { SpecContext, SpecFailure, type SpecRecord } from './context.js';
import { guardOutputs } from './guard.js';
import { checkSeed } from './seed.js';

type CheckStatus = 'pass' | 'fail' | 'skip';

export interface CheckResult {
  status: CheckStatus;
  message?: string;
  seed: number;
  records: SpecRecord[];
}

/** The shell command that reruns one check on one backend with the same seeds. */
export function replayCommand(
  group: SpecGroup,
  check: SpecCheck,
  backend: { name: string; selector?: string },
  suiteSeed: number,
): string {
  const pattern = `${group.id} ${backend.name} ${check.name}`.replace(/[\\^$.*+?()[\]{}|"]/g, '\\$&');
  const selector = backend.selector ?? backend.name;
  return `DIFFSPEC_SEED=${suiteSeed} DIFFSPEC_BACKENDS=${/[\s"'$]/.test(selector) ? JSON.stringify(selector) : selector} npx vitest run spec/${group.id}.spec.ts -t "${pattern}"`;
}

/** Capabilities the check needs that the backend does not declare. */
function missingCapabilities(check: SpecCheck, backend: DiffusionBackend): string[] {
  return check.requires.filter((c) => !backend.capabilities.includes(c));
}

/** Runs one check; any throw is a failure with its message, a missing capability a skip. */
export async function runCheck(
  group: SpecGroup,
  check: SpecCheck,
  backend: DiffusionBackend,
  suiteSeed: number,
): Promise<CheckResult> {
  const seed = checkSeed(suiteSeed, checkId(group, check));
  const missing = missingCapabilities(check, backend);
  if (missing.length > 0)
    return { status: 'skip', message: `backend ${backend.name} lacks ${missing.join(', ')}`, seed, records: [] };
  let records: SpecRecord[] = [];
  try {
    const conventions = resolveProfile(backend.profile);
    const ctx = new SpecContext(seed, backend.precision, check.falseAlarm ?? 0, conventions);
    records = ctx.records;
    await check.run(guardOutputs(inPaperTimesteps(backend, conventions)), ctx);
    return { status: 'pass', seed, records };
  } catch (e) {
    return { status: 'fail', message: describeFailure(e), seed, records };
  }
}

/** fast-check's report, reduced to the lines a reader needs: the counterexample and its seed and path. */
function propertyReport(message: string): string {
  return message
    .split('\n')
    .filter((l) => /^(Counterexample|\{ seed)/.test(l))
    .map((l) => (l.length > 400 ? `${l.slice(0, 400)}…` : l))
    .join('\n  ');
}

function describeFailure(e: unknown): string {
  // fast-check wraps what the property threw as the cause: lead with it, then the counterexample.
  if (e instanceof Error && e.message.startsWith('Property failed') && e.cause !== undefined)
    return `${describeFailure(e.cause)}\n  ${propertyReport(e.message)}`;
  if (e instanceof SpecFailure) return e.message;
  if (e instanceof DiffspecInputError) return `backend rejected a valid input: ${e.message}`;
  if (e instanceof Error) {
    // fast-check reports the counterexample in its message and the violated claim as the cause.
    const cause = e.cause instanceof Error ? `\n  cause: ${e.cause.message}` : '';
    return `${e.name === 'Error' ? '' : `${e.name}: `}${e.message}${cause}`;
  }
  return `threw ${String(e)}`;
}
