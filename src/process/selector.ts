import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { DiffspecInputError, requireInput } from '../errors.js';
import type { ProgramCommand } from './connection.js';

/** The selector prefix of a program backend given as a command line: "cmd:/usr/bin/python3 backend.py". */
export const COMMAND_PREFIX = 'cmd:';

/** The default time limit of a program's answer: well inside the per-check limit, so a hang fails one check only. */
export const DEFAULT_TIMEOUT_MS = 30_000;

/** True for the path of a JSON file describing a program. */
export function isProgramFile(selector: string): boolean {
  return !selector.startsWith(COMMAND_PREFIX) && /\.json$/i.test(selector);
}

/** True for a selector that names a program: a "cmd:" command line or a JSON file describing one. */
export function isProgramSelector(selector: string): boolean {
  return selector.startsWith(COMMAND_PREFIX) || isProgramFile(selector);
}

/**
 * DIFFSPEC_PROCESS_TIMEOUT_MS, else 30 s or half the per-check limit (DIFFSPEC_CHECK_TIMEOUT_MS, set by conformance
 * --timeout) when that is shorter: a program killed at its limit leaves the check time to report it, and the next
 * check finds a fresh program instead of a queue behind the hung call.
 */
function timeoutFromEnv(env: NodeJS.ProcessEnv): number {
  const raw = env.DIFFSPEC_PROCESS_TIMEOUT_MS;
  if (raw === undefined || raw === '') {
    const check = Number(env.DIFFSPEC_CHECK_TIMEOUT_MS);
    return Number.isInteger(check) && check > 0
      ? Math.min(DEFAULT_TIMEOUT_MS, Math.max(1, Math.floor(check / 2)))
      : DEFAULT_TIMEOUT_MS;
  }
  const ms = Number(raw);
  requireInput(
    Number.isInteger(ms) && ms >= 1,
    'DIFFSPEC_PROCESS_TIMEOUT_MS',
    `must be an integer >= 1, got ${JSON.stringify(raw)}`,
  );
  return ms;
}

/** Splits a command line on spaces; '...' and "..." quote (no escapes, no variables: this is not a shell). */
export function splitCommandLine(line: string, field = 'command'): string[] {
  const words: string[] = [];
  let word: string | undefined;
  let quote: string | undefined;
  for (const c of line) {
    if (quote) {
      if (c === quote) quote = undefined;
      else word += c;
    } else if (c === "'" || c === '"') {
      quote = c;
      word ??= '';
    } else if (/\s/.test(c)) {
      if (word !== undefined) words.push(word);
      word = undefined;
    } else {
      word = (word ?? '') + c;
    }
  }
  requireInput(quote === undefined, field, `has an unterminated quote: ${JSON.stringify(line)}`);
  if (word !== undefined) words.push(word);
  return words;
}

const CONFIG_FIELDS = ['command', 'args', 'cwd', 'env', 'timeoutMs'];

/** Reads a JSON file {command, args, cwd, env, timeoutMs}; cwd is relative to the file, as are relative paths. */
function readConfig(path: string, env: NodeJS.ProcessEnv): ProgramCommand {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new DiffspecInputError(path, `cannot be read as JSON: ${e instanceof Error ? e.message : String(e)}`);
  }
  requireInput(
    raw !== null && typeof raw === 'object' && !Array.isArray(raw),
    path,
    'must hold a JSON object {"command", "args", "cwd", "env", "timeoutMs"}',
  );
  const o = raw as Record<string, unknown>;
  for (const key of Object.keys(o))
    requireInput(CONFIG_FIELDS.includes(key), `${path}: ${key}`, `is not a field (known: ${CONFIG_FIELDS.join(', ')})`);
  requireInput(typeof o.command === 'string' && o.command !== '', `${path}: command`, 'must be a non-empty string');
  const args = o.args ?? [];
  requireInput(
    Array.isArray(args) && args.every((a) => typeof a === 'string'),
    `${path}: args`,
    'must be an array of strings',
  );
  requireInput(o.cwd === undefined || typeof o.cwd === 'string', `${path}: cwd`, 'must be a string');
  const vars = o.env ?? {};
  const isStringMap =
    vars !== null &&
    typeof vars === 'object' &&
    !Array.isArray(vars) &&
    Object.values(vars).every((v) => typeof v === 'string');
  requireInput(isStringMap, `${path}: env`, 'must be an object of strings');
  const timeoutMs = o.timeoutMs ?? timeoutFromEnv(env);
  requireInput(
    Number.isInteger(timeoutMs) && (timeoutMs as number) >= 1,
    `${path}: timeoutMs`,
    'must be an integer >= 1',
  );
  return {
    command: o.command,
    args: args as string[],
    cwd: resolve(dirname(path), (o.cwd as string | undefined) ?? '.'),
    env: vars as Record<string, string>,
    timeoutMs: timeoutMs as number,
  };
}

/** The program a selector names: "cmd:COMMAND ARGS..." (run in the current folder) or the path of a JSON file. */
export function programCommand(selector: string, env: NodeJS.ProcessEnv = process.env): ProgramCommand {
  if (!selector.startsWith(COMMAND_PREFIX)) return readConfig(resolve(selector), env);
  const [command, ...args] = splitCommandLine(selector.slice(COMMAND_PREFIX.length), 'cmd');
  requireInput(command !== undefined, 'cmd', 'names no command ("cmd:/usr/bin/python3 backend.py")');
  return { command, args, timeoutMs: timeoutFromEnv(env) };
}
