import { readFile } from 'node:fs/promises';
import '../../../backends/index.js';
import { evaluateCase } from '../../cases/evaluate.js';
import { resolveBackend } from '../../contract/registry.js';
import { DiffspecInputError } from '../../errors.js';
import { parseArgs, single } from '../args.js';
import { UsageError, type Command } from '../command.js';

const USAGE = `Usage: diffspec eval [--backend NAME] --case FILE|-

Evaluates diffusion operations on one backend and prints the outputs as JSON.
FILE holds one case (a JSON object) or many (JSON Lines, one case per line); '-' reads stdin.
One case prints {"outputs": {...}}; JSON Lines print one answer per line, in order, where a case
that fails prints {"error": {"field": ..., "message": ...}} and the exit status becomes 1.

Options:
  --backend NAME   backend to evaluate on (default: cpu, the float64 reference)
  --case FILE      the case file, or - for standard input

Example:
  echo '{"op":"q_sample","schedule":{"kind":"linear","T":100,"betaStart":0.0001,"betaEnd":0.06},
         "inputs":{"x0":{"shape":[1,2],"data":[0.5,-0.5]},"noise":{"shape":[1,2],"data":[1,0]},"t":[10]}}' \\
    | diffspec eval --case -`;

async function readInput(path: string): Promise<string> {
  if (path !== '-') return readFile(path, 'utf8');
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function errorAnswer(e: unknown): { error: { field?: string; message: string } } {
  if (e instanceof DiffspecInputError) return { error: { field: e.field, message: e.message } };
  return { error: { message: e instanceof Error ? e.message : String(e) } };
}

/** Splits a case file into cases: one JSON document, or JSON Lines. A line that does not parse is an error for that line. */
function parseCases(text: string): { single: boolean; cases: ({ value: unknown } | { error: DiffspecInputError })[] } {
  try {
    return { single: true, cases: [{ value: JSON.parse(text) }] };
  } catch {
    const lines = text.split('\n').map((l, i) => ({ line: l.trim(), number: i + 1 })).filter((l) => l.line !== '');
    if (lines.length <= 1) {
      return { single: true, cases: [{ error: new DiffspecInputError('case', 'is not valid JSON (one JSON object, or JSON Lines with one case per line)') }] };
    }
    return {
      single: false,
      cases: lines.map(({ line, number }) => {
        try {
          return { value: JSON.parse(line) };
        } catch (e) {
          return { error: new DiffspecInputError(`line ${number}`, `is not valid JSON: ${(e as Error).message}`) };
        }
      }),
    };
  }
}

export const evalCommand: Command = {
  name: 'eval',
  summary: 'evaluate operations from a case file (JSON or JSON Lines) on a backend',
  usage: USAGE,
  async run(argv) {
    const args = parseArgs(argv, ['backend', 'case']);
    const casePath = single(args, 'case');
    if (!casePath) throw new UsageError('--case FILE (or - for stdin) is required');
    const resolution = await resolveBackend(single(args, 'backend', 'cpu')!);
    if ('skipped' in resolution) {
      process.stderr.write(`diffspec eval: backend ${resolution.name} cannot run here: ${resolution.skipped}\n`);
      return 1;
    }
    const { single: isSingle, cases } = parseCases(await readInput(casePath));
    let failed = 0;
    const answers: string[] = [];
    for (const c of cases) {
      try {
        if ('error' in c) throw c.error;
        answers.push(JSON.stringify({ outputs: await evaluateCase(resolution.backend, c.value) }));
      } catch (e) {
        failed++;
        answers.push(JSON.stringify(errorAnswer(e)));
        process.stderr.write(`diffspec eval: ${isSingle ? '' : `case ${answers.length}: `}${e instanceof Error ? e.message : String(e)}\n`);
      }
    }
    process.stdout.write(answers.join('\n') + '\n');
    await resolution.backend.dispose?.();
    return failed > 0 ? 1 : 0;
  },
};
