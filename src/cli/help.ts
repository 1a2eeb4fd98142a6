import type { OptionTable } from './options.js';

const WIDTH = 116;
const OPTION_COLUMN = 26;

/** What exit status 2 means, for every command; each command states what its 0 and 1 mean (and any other). */
export const USAGE_EXIT_STATUS =
  'a usage error: an unknown option, or a missing or malformed value (the message names it)';

export interface HelpSpec {
  name: string;
  description: string;
  options: OptionTable;
  /** What each exit status means for this command, besides 2 (a usage error). */
  exitStatus: { 0: string; 1: string } & Record<number, string>;
  examples?: readonly string[];
}

/** Words into lines of at most `width` characters (a longer word keeps its own line). */
function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line !== '' && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line === '' ? word : `${line} ${word}`;
  }
  return line === '' ? lines : [...lines, line];
}

/** Paragraphs (separated by a blank line) reflowed to the help's width. */
function paragraphs(text: string): string {
  return text
    .split(/\n\s*\n/)
    .map((p) => wrap(p, WIDTH).join('\n'))
    .join('\n\n');
}

/** A two-column list: each term, then its text wrapped under a hanging indent. */
export function twoColumns(rows: readonly [string, string][], column: number): string[] {
  return rows.flatMap(([term, text]) => {
    const lines = wrap(text, WIDTH - column);
    const first = term.length + 2 < column ? `${term.padEnd(column - 2)}  ${lines[0] ?? ''}` : term;
    const rest = term.length + 2 < column ? lines.slice(1) : lines;
    return [first.trimEnd(), ...rest.map((l) => `${' '.repeat(column)}${l}`)];
  });
}

function formatDefault(value: unknown): string {
  return Array.isArray(value) ? value.join(',') : String(value);
}

/** One option's row: the name and placeholder, then its description and what help adds from the declaration. */
function optionRow(name: string, o: OptionTable[string]): [string, string] {
  const term = o.type ? `--${name} ${o.type.placeholder}` : `--${name}`;
  const notes = [
    o.type ? (o.type.help ?? o.type.expected) : '',
    o.list ? (o.whole ? 'repeatable' : 'repeatable, comma-separated') : '',
    o.required ? 'required' : '',
    o.defaultText !== undefined ? `default ${o.defaultText}` : '',
    o.defaultText === undefined && o.default !== undefined ? `default ${formatDefault(o.default)}` : '',
  ].filter(Boolean);
  return [term, notes.length > 0 ? `${o.description} [${notes.join('; ')}]` : o.description];
}

/** The one-line synopsis: required options spelled out, the rest as [options]. */
export function synopsis(spec: Pick<HelpSpec, 'name' | 'options'>): string {
  const required = Object.entries(spec.options).filter(([, o]) => o.required);
  const words = required.map(([name, o]) => `--${name} ${o.type?.placeholder ?? ''}`.trimEnd());
  return `Usage: diffspec ${spec.name} ${[...words, '[options]'].join(' ')}`;
}

/** A command's --help text, generated from its option table. */
export function commandHelp(spec: HelpSpec): string {
  const rows = Object.entries(spec.options).map(([name, o]) => optionRow(name, o));
  const options: [string, string][] = [...rows, ['-h, --help', 'print this help']];
  const codes = { ...spec.exitStatus, 2: USAGE_EXIT_STATUS };
  const status = Object.entries(codes).sort(([a], [b]) => Number(a) - Number(b));
  return [
    synopsis(spec),
    '',
    paragraphs(spec.description),
    '',
    'Options:',
    ...twoColumns(options, OPTION_COLUMN).map((l) => `  ${l}`),
    '',
    'Exit status:',
    ...twoColumns(status, 6).map((l) => `  ${l}`),
    ...(spec.examples && spec.examples.length > 0 ? ['', 'Examples:', ...spec.examples.map((e) => `  ${e}`)] : []),
  ].join('\n');
}
