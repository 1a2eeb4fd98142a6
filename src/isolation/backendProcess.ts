import { type ChildProcess, fork } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { packageRoot } from '../paths.js';
import type { HostReply, HostRequest } from './protocol.js';

/** How much of a host's stderr a failure quotes: enough for a stack trace or V8's out-of-memory report. */
const STDERR_TAIL_CHARS = 2000;

/** The host entry beside this file: host.ts when running from source, host.js from dist/. */
export const OWN_HOST = fileURLToPath(
  new URL(`./host${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`, import.meta.url),
);

/**
 * The host that processes run: DIFFSPEC_HOST when set (`diffspec conformance` names its own, so that the processes
 * its vitest worker starts from the TypeScript sources run the compiled host, not every module through tsx).
 */
const HOST = process.env.DIFFSPEC_HOST ?? OWN_HOST;

export interface HostOptions {
  /** The time the backend gets to load (import, start its engine), restarts included. */
  loadTimeoutMs: number;
  /** The V8 heap limit of the host process in MiB (--max-old-space-size); Node's default when undefined. */
  heapMb?: number;
}

/** Node options for a host: tsx's loader when TypeScript is to be imported (the host from source, a .ts backend). */
function hostExecArgv(selector: string, heapMb: number | undefined): string[] {
  const heap = heapMb === undefined ? [] : [`--max-old-space-size=${heapMb}`];
  if (!HOST.endsWith('.ts') && !/\.(m|c)?ts$/.test(selector)) return heap;
  const tsx = createRequire(`${packageRoot()}/package.json`).resolve('tsx');
  return [...heap, '--import', pathToFileURL(tsx).href];
}

/** How a host process ended, in words: the signal, or the exit code and the tail of what it wrote to stderr. */
function exitReason(code: number | null, signal: NodeJS.Signals | null, stderr: string): string {
  const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
  // V8's out-of-memory report ends in a native stack trace: its FATAL ERROR line says what happened.
  const tail = stderr.split('----- Native stack trace -----')[0].trim().slice(-STDERR_TAIL_CHARS);
  return `the backend's process ${how}${tail ? `; its output ends:\n${tail}` : ''}`;
}

/** A request's outcome: the host's reply, or why there was none (a timeout, with its limit, or the process's end). */
export type Outcome = { reply: HostReply } | { lost: string; timedOutAfterMs?: number };

/**
 * One backend in a process of its own (src/isolation/host.ts): the parent survives whatever the backend does.
 * A request that runs past its time limit kills the process (SIGKILL: a synchronous loop answers nothing else);
 * a process that is gone, killed or crashed, is started again for the next request.
 */
export class BackendProcess {
  private child: ChildProcess | undefined;
  private output = '';

  constructor(
    readonly selector: string,
    private readonly options: HostOptions,
  ) {}

  /** Starts the host and waits for its first answer: the backend's descriptor, or why it cannot be used. */
  async load(): Promise<HostReply> {
    this.kill();
    const child = fork(HOST, [this.selector], {
      execArgv: hostExecArgv(this.selector, this.options.heapMb),
      serialization: 'advanced',
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    this.child = child;
    this.output = '';
    const keep = (chunk: Buffer) => (this.output = (this.output + chunk.toString()).slice(-4 * STDERR_TAIL_CHARS));
    child.stdout!.on('data', keep);
    child.stderr!.on('data', keep);
    const outcome = await this.await(child, this.options.loadTimeoutMs);
    if ('reply' in outcome) return outcome.reply;
    this.kill();
    return { type: 'failed', name: this.selector, reason: `cannot load ${this.selector}: ${outcome.lost}` };
  }

  /** Whether the host is up and holds its backend. */
  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  /**
   * Sends one request and waits at most `timeoutMs` from the start of its work for the answer; past it, or on a
   * crash, the host is gone.
   */
  async request(request: HostRequest, timeoutMs: number): Promise<Outcome> {
    if (!this.running) {
      const reply = await this.load();
      const why = 'reason' in reply ? reply.reason : reply.type;
      if (reply.type !== 'ready') return { lost: `the backend's process could not be started again: ${why}` };
    }
    const child = this.child!;
    child.send(request);
    // Until the host starts the work it imports what the work needs: that is timed like a load.
    let outcome = await this.await(child, this.options.loadTimeoutMs);
    if ('reply' in outcome && outcome.reply.type === 'started') outcome = await this.await(child, timeoutMs);
    if ('lost' in outcome) this.kill();
    return outcome;
  }

  /** The host's next message, or how it was lost: no answer within `timeoutMs`, or the process ended. */
  private await(child: ChildProcess, timeoutMs: number): Promise<Outcome> {
    return new Promise((resolve) => {
      const done = (outcome: Outcome) => {
        clearTimeout(timer);
        child.off('message', onMessage).off('exit', onExit);
        resolve(outcome);
      };
      const onMessage = (reply: HostReply) => done({ reply });
      // 'exit' can come before the last of the output: wait for the pipes to close, briefly.
      const onExit = (code: number | null, signal: NodeJS.Signals | null) => {
        setTimeout(() => done({ lost: exitReason(code, signal, this.output) }), 50);
      };
      const timedOut = { lost: `no answer within its time limit of ${timeoutMs} ms`, timedOutAfterMs: timeoutMs };
      const timer = setTimeout(() => done(timedOut), timeoutMs);
      child.on('message', onMessage).on('exit', onExit);
    });
  }

  /** Ends the host at once. */
  kill(): void {
    if (this.running) this.child!.kill('SIGKILL');
    this.child = undefined;
  }
}
