// The child process that holds one backend for `diffspec conformance` (src/isolation/backendProcess.ts starts it):
// whatever the backend does (loop forever, crash, run out of memory) takes down this process only.
import type { DiffusionBackend } from '../contract/backend.js';
import { metadataWithProfile } from '../conventions/profile.js';
import type { SpecGroup } from '../speckit/check.js';
import type { BackendDescriptor, HostReply, HostRequest } from './protocol.js';

const send = (reply: HostReply): void => {
  process.send!(reply);
};

const describe = (backend: DiffusionBackend): BackendDescriptor => {
  const { name, precision, capabilities } = backend;
  const metadata = metadataWithProfile(backend);
  return { name, precision, capabilities: [...capabilities], ...(metadata ? { metadata: { ...metadata } } : {}) };
};

async function load(selector: string): Promise<DiffusionBackend | undefined> {
  // The built-in backends register themselves on import; a module path is imported by the selection.
  await import('../../backends/index.js');
  const { selectBackend } = await import('../speckit/selection.js');
  const r = await selectBackend(selector);
  if ('failed' in r) return void send({ type: 'failed', name: r.name, reason: r.failed });
  if ('skipped' in r) return void send({ type: 'skipped', name: r.name, reason: r.skipped });
  send({ type: 'ready', backend: describe(r.backend) });
  return r.backend;
}

/**
 * The spec group `id` from its own module, spec/groups/<id>.ts: a host runs the checks of one spec file, and
 * importing every group (the schedules group's 64-digit oracle above all) would cost each host a second of CPU.
 */
async function specGroup(id: string): Promise<SpecGroup | undefined> {
  if (!/^[a-z0-9-]+$/.test(id)) return undefined;
  const module = (await import(`../../spec/groups/${id}.js`)) as Record<string, unknown>;
  return Object.values(module).find((g): g is SpecGroup => (g as SpecGroup | undefined)?.id === id);
}

/** Answers a request; 'started' goes out once the imports are done, so that the time limit is the work's alone. */
async function answer(backend: DiffusionBackend, request: HostRequest): Promise<HostReply> {
  if (request.type === 'frames') {
    const [{ forwardFrames }, { SEED_SCHEDULE }] = await Promise.all([
      import('../forward/strip.js'),
      import('../schedule/spec.js'),
    ]);
    send({ type: 'started' });
    const { x0, steps, seed } = request;
    return { type: 'frames', frames: await forwardFrames({ backend, x0, schedule: SEED_SCHEDULE, steps, seed }) };
  }
  const [group, { runCheck }] = await Promise.all([specGroup(request.group), import('../speckit/runner.js')]);
  const check = group?.checks.find((c) => c.name === request.check);
  if (!group || !check) return { type: 'error', message: `no check "${request.group} > ${request.check}"` };
  send({ type: 'started' });
  return { type: 'result', result: await runCheck(group, check, backend, request.suiteSeed) };
}

// The parent going away (killed, or done) ends this process too.
process.on('disconnect', () => process.exit(0));
const backend = await load(process.argv[2]);
if (backend) {
  process.on('message', (request: HostRequest) => {
    const failed = (e: unknown) => send({ type: 'error', message: e instanceof Error ? e.message : String(e) });
    answer(backend, request).then(send, failed);
  });
}
