import { checkId, type SpecCheck, type SpecGroup } from '../speckit/check.js';
import type { Participant } from '../speckit/participant.js';
import type { CheckResult } from '../speckit/runner.js';
import { checkSeed } from '../speckit/seed.js';
import { BackendProcess, type HostOptions, type Outcome } from './backendProcess.js';
import type { HostReply } from './protocol.js';

/**
 * After this many checks in a row lost their process (a timeout or a crash), the backend's remaining checks are
 * failed without starting it again: a backend that hangs in every operation would cost a time limit per check.
 */
const MAX_LOSSES_IN_A_ROW = 3;

/** The limits of an isolated backend: its checks' time limit, and those of its process. */
export interface IsolationLimits extends HostOptions {
  checkTimeoutMs: number;
}

/** Why a request got no result, in the words a failed check reports. */
function lossReason({ lost, timedOutAfterMs }: Extract<Outcome, { lost: string }>): string {
  if (timedOutAfterMs === undefined) return `crashed: ${lost}`;
  const killed = "the backend's process was killed, since a synchronous loop cannot be stopped otherwise";
  return `timed out after ${timedOutAfterMs} ms (its time limit): ${killed}`;
}

const unexpected = (reply: HostReply) => (reply.type === 'error' ? reply.message : `unexpected answer ${reply.type}`);

/**
 * A backend (a registered name or a module path) loaded in a process of its own: each check is sent to that
 * process, and a check that runs past its time limit, or during which the process crashes, is killed or signalled,
 * or runs out of memory, fails with the reason; the process is started again for the next check.
 */
export async function isolatedBackend(selector: string, limits: IsolationLimits): Promise<Participant> {
  const host = new BackendProcess(selector, limits);
  const reply = await host.load();
  if (reply.type === 'failed') return { name: reply.name, selector, failed: reply.reason };
  if (reply.type === 'skipped') return { name: reply.name, selector, skipped: reply.reason };
  if (reply.type !== 'ready') return { name: selector, selector, failed: unexpected(reply) };
  const { name, precision, metadata } = reply.backend;
  let losses = 0;
  let lastLoss = '';
  const failure = (group: SpecGroup, check: SpecCheck, suiteSeed: number, message: string): CheckResult => ({
    status: 'fail',
    message,
    seed: checkSeed(suiteSeed, checkId(group, check)),
    records: [],
  });
  return {
    name,
    selector,
    precision,
    metadata,
    isolated: true,
    async runCheck(group, check, suiteSeed) {
      if (losses >= MAX_LOSSES_IN_A_ROW) {
        const message = `not run: the backend's process was lost in ${losses} checks in a row`;
        return failure(group, check, suiteSeed, `${message}, the last time: ${lastLoss}`);
      }
      const request = { type: 'check', group: group.id, check: check.name, suiteSeed } as const;
      const outcome = await host.request(request, limits.checkTimeoutMs);
      if ('reply' in outcome) {
        if (outcome.reply.type !== 'result') return failure(group, check, suiteSeed, unexpected(outcome.reply));
        losses = 0;
        return outcome.reply.result;
      }
      losses++;
      lastLoss = lossReason(outcome);
      return failure(group, check, suiteSeed, `${lastLoss}\n  (the process is started again for the next check)`);
    },
    close: () => host.kill(),
  };
}
