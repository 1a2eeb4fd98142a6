// The child process that holds one backend for `diffspec conformance` (src/isolation/backendProcess.ts starts it):
// whatever the backend does (loop forever, crash, run out of memory) takes down this process only.
import type { DiffusionBackend } from '../contract/backend.js';
import type { HostReply, HostRequest } from './protocol.js';

const send = (reply: HostReply): void => {
  process.send!(reply);
};

async function load(selector: string): Promise<DiffusionBackend | undefined> {
  // The built-in backends register themselves on import; a module path is imported by the selection.
  await import('../../backends/index.js');
  const { selectBackend } = await import('../speckit/selection.js');
  const r = await selectBackend(selector);
  if ('failed' in r) return void send({ type: 'failed', name: r.name, reason: r.failed });
  if ('skipped' in r) return void send({ type: 'skipped', name: r.name, reason: r.skipped });
  const { name, precision, capabilities, metadata } = r.backend;
  send({ type: 'ready', backend: { name, precision, capabilities: [...capabilities], ...(metadata ? { metadata: { ...metadata } } : {}) } });
  return r.backend;
}

/** Answers a request; 'started' goes out once the imports are done, so that the time limit is the work's alone. */
async function answer(backend: DiffusionBackend, request: HostRequest): Promise<HostReply> {
  if (request.type === 'frames') {
    const [{ forwardFrames }, { SEED_SCHEDULE }] = await Promise.all([import('../forward/strip.js'), import('../schedule/spec.js')]);
    send({ type: 'started' });
    const { x0, steps, seed } = request;
    return { type: 'frames', frames: await forwardFrames({ backend, x0, schedule: SEED_SCHEDULE, steps, seed }) };
  }
  const [{ SPEC_GROUPS }, { runCheck }] = await Promise.all([import('../../spec/groups/index.js'), import('../speckit/runner.js')]);
  const group = SPEC_GROUPS.find((g) => g.id === request.group);
  const check = group?.checks.find((c) => c.name === request.check);
  if (!group || !check) return { type: 'error', message: `no check ${JSON.stringify(`${request.group} > ${request.check}`)}` };
  send({ type: 'started' });
  return { type: 'result', result: await runCheck(group, check, backend, request.suiteSeed) };
}

// The parent going away (killed, or done) ends this process too.
process.on('disconnect', () => process.exit(0));
const backend = await load(process.argv[2]);
if (backend) {
  process.on('message', (request: HostRequest) => {
    answer(backend, request).then(send, (e: unknown) => send({ type: 'error', message: e instanceof Error ? e.message : String(e) }));
  });
}
