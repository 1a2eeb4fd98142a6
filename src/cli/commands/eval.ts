import { readFile } from 'node:fs/promises';
import { evaluateCase } from '../../cases/evaluate.js';
import type { ProfileSpec } from '../../conventions/profile.js';
import { DiffspecInputError } from '../../errors.js';
import { composeBackend } from '../../pipeline/compose.js';
import { runnableBackend } from '../backend.js';
import { defineCommand } from '../command.js';
import { option } from '../options.js';
import { text } from '../values.js';

async function readInput(path: string): Promise<string> {
  if (path !== '-') {
    return readFile(path, 'utf8').catch((e: Error) => Promise.reject(new DiffspecInputError('--case', e.message)));
  }
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function errorAnswer(e: unknown): { error: { field?: string; message: string } } {
  if (e instanceof DiffspecInputError) return { error: { field: e.field, message: e.message } };
  return { error: { message: e instanceof Error ? e.message : String(e) } };
}

/**
 * Splits a case file into cases: one JSON document, or JSON
 * Lines. A line that does not parse is an error for that line.
 */
function parseCases(text: string): { single: boolean; cases: ({ value: unknown } | { error: DiffspecInputError })[] } {
  try {
    return { single: true, cases: [{ value: JSON.parse(text) }] };
  } catch {
    const lines = text
      .split('\n')
      .map((l, i) => ({ line: l.trim(), number: i + 1 }))
      .filter((l) => l.line !== '');
    if (lines.length <= 1) {
      return {
        single: true,
        cases: [
          {
            error: new DiffspecInputError(
              'case',
              'is not valid JSON (one JSON object, or JSON Lines with one case per line)',
            ),
          },
        ],
      };
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

export const evalCommand = defineCommand({
  name: 'eval',
  summary: 'evaluate operations from a case file (JSON or JSON Lines) on a backend',
  description: `Evaluates diffusion operations on one backend and prints the outputs as JSON. FILE holds one case
(a JSON object) or many (JSON Lines, one case per line); '-' reads stdin. README.md lists the operations and
their fields.

One case prints {"outputs": {...}}; JSON Lines print one answer per line, in order, where a case that fails
prints {"error": {"field": ..., "message": ...}}.`,
  options: {
    backend: option(text('NAME'), { default: 'cpu', description: 'backend to evaluate on (cpu: float64 reference)' }),
    case: option(text('FILE|-'), { required: true, description: 'the case file, or - for standard input' }),
  },
  exitStatus: {
    0: 'every case was answered',
    1: 'a case was invalid (its answer names the field), or the backend cannot run here',
  },
  examples: [
    `echo '{"op":"q_sample","schedule":{"kind":"linear","T":100,"betaStart":0.0001,"betaEnd":0.06},`,
    `      "inputs":{"x0":{"shape":[1,2],"data":[0.5,-0.5]},"noise":{"shape":[1,2],"data":[1,0]},"t":[10]}}' \\`,
    '  | diffspec eval --case -',
    'cat examples/cases/*.json | diffspec eval --case -',
  ],
  async run({ backend: backendName, case: casePath }) {
    const backend = await runnableBackend('backend', backendName);
    const { single: isSingle, cases } = parseCases(await readInput(casePath));
    // The float64 reference follows each case's profile; any other backend must declare it (evaluateCase checks).
    const underCaseProfile = async (value: unknown) => {
      const profile = (value as { profile?: ProfileSpec } | null)?.profile;
      if (backendName !== 'cpu' || profile === undefined) return backend;
      const { cpuKernels } = await import('../../../backends/cpu/kernels.js');
      return composeBackend(cpuKernels, profile);
    };
    let failed = 0;
    const answers: string[] = [];
    for (const c of cases) {
      try {
        if ('error' in c) throw c.error;
        answers.push(JSON.stringify({ outputs: await evaluateCase(await underCaseProfile(c.value), c.value) }));
      } catch (e) {
        failed++;
        answers.push(JSON.stringify(errorAnswer(e)));
        process.stderr.write(
          `diffspec eval: ${isSingle ? '' : `case ${answers.length}: `}${e instanceof Error ? e.message : String(e)}\n`,
        );
      }
    }
    process.stdout.write(`${answers.join('\n')}\n`);
    await backend.dispose?.();
    return failed > 0 ? 1 : 0;
  },
});
