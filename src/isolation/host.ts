// The child process that holds one backend for `diffspec conformance` (src/isolation/backendProcess.ts starts it):
// whatever the backend does (loop forever, crash, run out of memory) takes down this process only.
import type { HostReply } from './protocol.js';

const send = (reply: HostReply): void => {
  process.send!(reply);
};

async function load(selector: string): Promise<void> {
  // The built-in backends register themselves on import; a module path is imported by the selection.
  await import('../../backends/index.js');
  const { selectBackend } = await import('../speckit/selection.js');
  const r = await selectBackend(selector);
  if ('failed' in r) return send({ type: 'failed', name: r.name, reason: r.failed });
  if ('skipped' in r) return send({ type: 'skipped', name: r.name, reason: r.skipped });
  const { name, precision, capabilities, metadata } = r.backend;
  send({ type: 'ready', backend: { name, precision, capabilities: [...capabilities], ...(metadata ? { metadata: { ...metadata } } : {}) } });
}

// The parent going away (killed, or done) ends this process too.
process.on('disconnect', () => process.exit(0));
await load(process.argv[2]);
