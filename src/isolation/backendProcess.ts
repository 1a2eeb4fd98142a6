import { fork, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { packageRoot } from '../paths.js';
import type { HostReply } from './protocol.js';

/** How much of a host's stderr a failure quotes: enough for a stack trace or V8's out-of-memory report. */
const STDERR_TAIL_CHARS = 2000;

/** The host entry beside this file: host.ts when running from source, host.js from dist/. */
const HOST = fileURLToPath(new URL(`./host${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`, import.meta.url));

/** Node options for a host: tsx's loader when TypeScript is to be imported (the host from source, a .ts backend). */
function hostExecArgv(selector: string): string[] {
  if (!HOST.endsWith('.ts') && !/\.(m|c)?ts$/.test(selector)) return [];
  const tsx = createRequire(`${packageRoot()}/package.json`).resolve('tsx');
  return ['--import', pathToFileURL(tsx).href];
}

/** How a host process ended, in words: the signal, or the exit code and the tail of what it wrote to stderr. */
export function exitReason(code: number | null, signal: NodeJS.Signals | null, stderr: string): string {
  const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
  const tail = stderr.trim().slice(-STDERR_TAIL_CHARS);
  return `the backend's process ${how}${tail ? `; its stderr ends:\n${tail}` : ''}`;
}

/**
 * One backend in a process of its own (src/isolation/host.ts): the parent survives whatever the backend does.
 * `load` waits for the host's first answer: the backend's descriptor, why it failed to load, or why it cannot run.
 */
export class BackendProcess {
  private child: ChildProcess | undefined;
  private stderr = '';

  constructor(readonly selector: string) {}

  /** Starts the host and waits, at most `timeoutMs`, for it to load the backend. */
  load(timeoutMs: number): Promise<HostReply> {
    const child = fork(HOST, [this.selector], {
      execArgv: hostExecArgv(this.selector),
      serialization: 'advanced',
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    });
    this.child = child;
    this.stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => (this.stderr = (this.stderr + chunk.toString()).slice(-4 * STDERR_TAIL_CHARS)));
    return new Promise((resolve) => {
      const done = (reply: HostReply) => {
        clearTimeout(timer);
        child.off('message', onMessage).off('exit', onExit);
        resolve(reply);
      };
      const onMessage = (m: HostReply) => done(m);
      const onExit = (code: number | null, signal: NodeJS.Signals | null) =>
        done({ type: 'failed', name: this.selector, reason: `cannot load ${this.selector}: ${exitReason(code, signal, this.stderr)}` });
      const timer = setTimeout(() => {
        this.kill();
        done({ type: 'failed', name: this.selector, reason: `cannot load ${this.selector}: no answer within ${timeoutMs} ms` });
      }, timeoutMs);
      child.on('message', onMessage).on('exit', onExit);
    });
  }

  /** Ends the host at once (SIGKILL: a backend in a synchronous loop answers nothing else). */
  kill(): void {
    if (this.child && this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
    this.child = undefined;
  }
}
