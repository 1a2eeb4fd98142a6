import type { Reporter, SerializedError, TestCase, TestModule } from 'vitest/node';
import { type CheckResultRecord, measuredError, type Status } from './results.js';

const COLOURS: Record<Status, string> = { pass: '32', fail: '31', skip: '90', xfail: '33', xpass: '35' };

/** Status label for a terminal, coloured when it is one. */
function statusLabel(status: Status, colour: boolean): string {
  const label = status.toUpperCase().padEnd(5);
  return colour ? `\x1b[${COLOURS[status]}m${label}\x1b[0m` : label;
}

function statusOf(test: TestCase): Status | undefined {
  const meta = test.meta().diffspec;
  const state = test.result().state;
  if (meta?.outcome) return meta.outcome;
  if (state === 'passed') return 'pass';
  if (state === 'failed') return 'fail';
  // A skipped test without diffspec metadata never started: --filter left it out.
  if (state === 'skipped' && meta) return 'skip';
  return undefined;
}

function messageOf(test: TestCase): string | undefined {
  const meta = test.meta().diffspec;
  const result = test.result();
  if (result.state === 'failed') return result.errors.map((e) => e.message.split('\n  replay:')[0]).join('\n');
  if (result.state === 'skipped') return result.note;
  return meta?.outcome === 'xpass'
    ? `expected to fail (${meta.expectation?.reason}) but passed: remove the xfail entry`
    : undefined;
}

/**
 * A vitest reporter that turns each finished diffspec check into a result record (from the metadata the
 * spec harness leaves on the task, src/speckit/vitest.ts) and prints one progress line per check.
 */
export class ConformanceCollector implements Reporter {
  readonly results: CheckResultRecord[] = [];
  readonly errors: string[] = [];
  private readonly byTest = new Map<string, CheckResultRecord>();
  readonly backendInfo = new Map<
    string,
    { precision?: string; metadata?: Readonly<Record<string, string>>; unavailable?: string }
  >();

  constructor(
    private readonly out: NodeJS.WritableStream = process.stdout,
    private readonly colour = false,
  ) {}

  onTestCaseResult(test: TestCase): void {
    const meta = test.meta().diffspec;
    const status = statusOf(test);
    if (!meta || !status) return;
    const message = messageOf(test);
    const record: CheckResultRecord = {
      backend: meta.backend,
      group: meta.group,
      check: meta.check,
      kind: meta.kind,
      status,
      timeMs: Math.round((test.diagnostic()?.duration ?? 0) * 10) / 10,
      seed: meta.seed,
      suiteSeed: meta.suiteSeed,
      records: meta.records,
    };
    const error = measuredError(meta.records);
    if (error) record.error = error;
    if (message ?? meta.message) record.message = meta.message ?? message;
    if (status === 'fail' || status === 'xfail') record.replay = meta.replay;
    if (meta.expectation) record.expectation = meta.expectation;
    this.results.push(record);
    this.byTest.set(test.id, record);
    const info = this.backendInfo.get(meta.backend) ?? {};
    if (meta.precision) Object.assign(info, { precision: meta.precision, metadata: meta.metadata });
    if (status === 'skip' && message?.startsWith('backend unavailable: '))
      info.unavailable = message.slice('backend unavailable: '.length);
    if (status === 'fail' && message?.includes(`backend ${meta.backend} cannot be used: `))
      info.unavailable = message.split('cannot be used: ')[1];
    this.backendInfo.set(meta.backend, info);
    const time = record.timeMs >= 1000 ? `${(record.timeMs / 1000).toFixed(1)} s` : `${Math.round(record.timeMs)} ms`;
    this.out.write(
      `  ${statusLabel(status, this.colour)} ${meta.backend.padEnd(14)} ${meta.group} > ${meta.check}  (${time})\n`,
    );
  }

  onTestRunEnd(modules: ReadonlyArray<TestModule>, unhandled: ReadonlyArray<SerializedError>): void {
    // Backends run side by side (src/speckit/pool.ts), so results arrive in no fixed order: put them in the order
    // the checks were declared, file by file, so that reports and their backend columns read the same every run.
    const declared = modules.flatMap((m) => [...m.children.allTests()].map((t) => this.byTest.get(t.id)));
    this.results.splice(0, this.results.length, ...declared.filter((r) => r !== undefined));
    for (const m of modules) for (const e of m.errors()) this.errors.push(`${m.moduleId}: ${e.message}`);
    for (const e of unhandled) this.errors.push(`unhandled error: ${e.message}`);
  }
}
