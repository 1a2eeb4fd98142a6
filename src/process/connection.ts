import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';

/** How to start a backend program (docs/protocol.md, "Selecting a program"). */
export interface ProgramCommand {
  command: string;
  args: readonly string[];
  cwd?: string;
  env?: Readonly<Record<string, string>>;
  /** The longest silence allowed while an answer is awaited, in milliseconds. */
  timeoutMs: number;
}

/** A JSON-RPC error the program answered with: the operation failed, the program is fine. */
export class ProgramError extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly data: unknown,
  ) {
    super(message);
    this.name = 'ProgramError';
  }
}

/** The program failed (crash, hang, stray or malformed output): it is stopped, and restarted on the next call. */
export class ProgramFailure extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProgramFailure';
  }
}

/** Requests the program may send while a call is in progress (the model callback), by method. */
export type CallbackHandlers = Readonly<Record<string, (params: unknown) => Promise<unknown>>>;

interface Message {
  jsonrpc: '2.0';
  id?: string | number | null;
  method?: string;
  params?: unknown;
  result?: unknown;
  error?: { code?: unknown; message?: unknown; data?: unknown };
}

interface Pending {
  id: number;
  method: string;
  timeoutMs: number;
  handlers: CallbackHandlers;
  resolve(result: unknown): void;
  reject(e: Error): void;
}

const STDERR_TAIL_CHARS = 2000;
const live = new Set<ChildProcessWithoutNullStreams>();
let exitHookInstalled = false;

/** Children die with the process that started them, whatever way it ends. */
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const child of live) child.kill('SIGKILL');
  });
}

const isMessage = (v: unknown): v is Message =>
  v !== null && typeof v === 'object' && !Array.isArray(v) && (v as Message).jsonrpc === '2.0';

/**
 * One running program speaking JSON-RPC 2.0 with one message per line on its stdin and stdout
 * (docs/protocol.md). One call at a time; the program's requests during a call go to that call's handlers.
 * Any failure of the program itself ends the connection: `failure` then says why, and every later call fails.
 */
export class ProgramConnection {
  private readonly child: ChildProcessWithoutNullStreams;
  /** The pieces of a line not yet ended. */
  private partial: string[] = [];
  private stderrTail = '';
  private pending: Pending | undefined;
  private nextId = 1;
  private timer: NodeJS.Timeout | undefined;
  /** Why the connection is unusable, once it is. */
  failure: ProgramFailure | undefined;

  constructor(
    private readonly program: ProgramCommand,
    private readonly label: string,
  ) {
    installExitHook();
    this.child = spawn(program.command, [...program.args], {
      cwd: program.cwd,
      env: { ...process.env, ...program.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    live.add(this.child);
    // An idle program must not keep diffspec alive; a call in progress keeps it alive through its timer.
    this.child.unref();
    for (const stream of [this.child.stdin, this.child.stdout, this.child.stderr]) {
      (stream as unknown as { unref?(): void }).unref?.();
    }
    this.child.stdout.setEncoding('utf8');
    this.child.stderr.setEncoding('utf8');
    this.child.stdout.on('data', (chunk: string) => this.receive(chunk));
    this.child.stderr.on('data', (chunk: string) => {
      this.stderrTail = (this.stderrTail + chunk).slice(-STDERR_TAIL_CHARS);
    });
    this.child.stdin.on('error', () => undefined); // EPIPE after a crash: the exit event reports it
    this.child.on('error', (e) => this.fail(`cannot be started: ${e.message}`));
    // 'close' comes after the pipes are drained, so the stderr tail is complete.
    this.child.on('close', (code, signal) => {
      live.delete(this.child);
      this.fail(`exited (${signal ? `signal ${signal}` : `code ${code}`})`);
    });
  }

  /**
   * Sends one request and resolves with its result; the program's own requests meanwhile go to `handlers`.
   * `timeoutMs` overrides the program's time limit for this call (initialize waits for the program's start-up).
   */
  call(
    method: string,
    params: unknown,
    handlers: CallbackHandlers = {},
    timeoutMs = this.program.timeoutMs,
  ): Promise<unknown> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.pending)
      return Promise.reject(new Error(`${this.label}: ${method} called while ${this.pending.method} is in progress`));
    return new Promise((resolve, reject) => {
      const id = this.nextId++;
      this.pending = { id, method, timeoutMs, handlers, resolve, reject };
      this.send({ jsonrpc: '2.0', id, method, params });
      this.armTimer();
    });
  }

  /** Closes stdin (the program should exit at end of input) and kills it if it lingers. */
  close(): void {
    this.fail('was closed by diffspec');
    this.child.stdin.end();
    setTimeout(() => this.child.kill('SIGKILL'), 2000).unref();
  }

  private send(message: Message): void {
    this.child.stdin.write(`${JSON.stringify(message)}\n`);
  }

  private armTimer(): void {
    clearTimeout(this.timer);
    const ms = this.pending?.timeoutMs ?? this.program.timeoutMs;
    this.timer = setTimeout(() => this.fail(`gave no answer within ${ms} ms (time limit; the program was killed)`), ms);
  }

  /** Splits stdout into lines; only the new chunk is searched, so a line of megabytes costs linear time. */
  private receive(chunk: string): void {
    let start = 0;
    for (let end = chunk.indexOf('\n'); end >= 0 && !this.failure; end = chunk.indexOf('\n', start)) {
      const line = (this.partial.join('') + chunk.slice(start, end)).replace(/\r$/, '');
      this.partial = [];
      start = end + 1;
      if (line.trim() !== '') this.receiveLine(line);
    }
    if (start < chunk.length) this.partial.push(chunk.slice(start));
  }

  private receiveLine(line: string): void {
    let message: unknown;
    try {
      message = JSON.parse(line);
    } catch {
      message = undefined;
    }
    const quoted = JSON.stringify(line.length > 200 ? `${line.slice(0, 200)}…` : line);
    if (!isMessage(message)) {
      const what = line.trimStart().startsWith('{') ? 'wrote a malformed message' : 'wrote stray output on stdout';
      this.fail(`${what} (stdout carries only JSON-RPC messages, one per line; log to stderr): ${quoted}`);
      return;
    }
    if (this.pending) this.armTimer();
    if (typeof message.method === 'string') {
      void this.answerCallback(message);
      return;
    }
    const pending = this.pending;
    if (!pending || message.id !== pending.id) {
      this.fail(`answered a request it was not asked (id ${JSON.stringify(message.id)}): ${quoted}`);
      return;
    }
    this.settle();
    if (message.error !== undefined) {
      const { code, message: text, data } = message.error ?? {};
      pending.reject(
        new ProgramError(typeof code === 'number' ? code : -32603, String(text ?? 'error without a message'), data),
      );
    } else if (!('result' in message)) {
      this.fail(`answered ${pending.method} with neither "result" nor "error": ${quoted}`);
    } else {
      pending.resolve(message.result);
    }
  }

  /** Runs the program's request (the model callback) and answers it; the time limit pauses while diffspec works. */
  private async answerCallback(message: Message): Promise<void> {
    const handler = this.pending?.handlers[message.method!];
    const id = message.id ?? null;
    if (!handler) {
      const allowed = Object.keys(this.pending?.handlers ?? {});
      const when = this.pending ? `during ${this.pending.method}` : 'between calls';
      const text = `diffspec serves ${allowed.join(', ') || 'no requests'} ${when}`;
      this.send({ jsonrpc: '2.0', id, error: { code: -32601, message: `unknown method ${message.method}: ${text}` } });
      return;
    }
    clearTimeout(this.timer);
    try {
      const result = await handler(message.params);
      if (!this.failure) this.send({ jsonrpc: '2.0', id, result });
    } catch (e) {
      if (!this.failure)
        this.send({ jsonrpc: '2.0', id, error: { code: -32603, message: e instanceof Error ? e.message : String(e) } });
    }
    if (this.pending && !this.failure) this.armTimer();
  }

  private settle(): void {
    clearTimeout(this.timer);
    this.pending = undefined;
  }

  /** Marks the connection failed, kills the program and fails the call in progress with the stderr tail. */
  private fail(reason: string): void {
    if (this.failure) return;
    const during = this.pending ? ` during ${this.pending.method}` : '';
    const tail = this.stderrTail.trim();
    const stderr = tail
      ? `\n  stderr (last lines):\n    ${tail.split('\n').slice(-12).join('\n    ')}`
      : '\n  stderr: (empty)';
    this.failure = new ProgramFailure(`${this.label} ${reason}${during}${stderr}`);
    const pending = this.pending;
    this.settle();
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
    pending?.reject(this.failure);
  }
}
