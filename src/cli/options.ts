import { parseArgs } from 'node:util';
import { UsageError } from './usage-error.js';
import type { ValueType } from './values.js';

/**
 * One command-line option, declared once: parsing, validation and the help text all read this. `V` is the type
 * the command's run receives: T when the option has a default or is required, T[] for a list, boolean for a
 * flag, T | undefined otherwise.
 */
export interface Option<V> {
  /** The value's type; undefined for a flag (an option without a value). */
  type?: ValueType<unknown>;
  description: string;
  /** Repeatable and comma-separated ("--group a,b --group c"); the values come in order. */
  list: boolean;
  /** For a list: each occurrence is one value, commas and all ("--sweep size=1e3,1e5 --sweep T=100"). */
  whole?: boolean;
  required: boolean;
  default?: unknown;
  /** The default as help states it, when it depends on other options or on the machine. */
  defaultText?: string;
  /** Only carries V to the command's run; never set. */
  readonly valueType?: V;
}

interface Described {
  description: string;
  defaultText?: string;
}

/** An option that takes a value; see Option for what the overloads give the command. */
export function option<T>(
  type: ValueType<T>,
  spec: Described & { list: true; required?: boolean; whole?: boolean },
): Option<T[]>;
export function option<T>(type: ValueType<T>, spec: Described & { default: NoInfer<T> }): Option<T>;
export function option<T>(type: ValueType<T>, spec: Described & { required: true }): Option<T>;
export function option<T>(type: ValueType<T>, spec: Described): Option<T | undefined>;
export function option<T>(
  type: ValueType<T>,
  spec: Described & { default?: T; required?: boolean; list?: boolean },
): Option<unknown> {
  return { type, list: spec.list ?? false, required: spec.required ?? false, ...spec };
}

/** An option without a value: true when given. */
export function flag(description: string): Option<boolean> {
  return { description, list: false, required: false };
}

export type OptionTable = Record<string, Option<unknown>>;

/** What a command's run receives for a table of options. */
export type OptionValues<O extends OptionTable> = { [K in keyof O]: O[K] extends Option<infer V> ? V : never };

export interface ParsedOptions<O extends OptionTable> {
  values: OptionValues<O>;
  /** The options given on the command line (as opposed to defaulted). */
  given: ReadonlySet<keyof O & string>;
}

/** True when argv asks for help (-h or --help anywhere): help wins over any other error in the line. */
export function wantsHelp(argv: readonly string[]): boolean {
  return argv.includes('--help') || argv.includes('-h');
}

function invalid(name: string, type: ValueType<unknown>, raw: string): UsageError {
  return new UsageError(`--${name} must be ${type.expected}, got ${JSON.stringify(raw)}`);
}

/**
 * Parses argv against a table of options with Node's util.parseArgs (it splits "--name value", "--name=value"
 * and "--"), then checks every token itself so that each error names the option in our words: an unknown
 * option, a missing value, a value given to a flag, a repeated single option, a stray argument, a value that
 * is not of its type, or a missing required option.
 */
export function parseOptions<O extends OptionTable>(argv: readonly string[], table: O): ParsedOptions<O> {
  const declared = Object.fromEntries(
    Object.entries(table).map(([name, o]) => [name, { type: o.type ? ('string' as const) : ('boolean' as const) }]),
  );
  const args = [...argv];
  const { tokens } = parseArgs({ args, options: declared, strict: false, allowPositionals: true, tokens: true });
  const raws = new Map<string, string[]>();
  for (const token of tokens) {
    if (token.kind === 'positional') throw new UsageError(`unexpected argument ${JSON.stringify(token.value)}`);
    if (token.kind === 'option-terminator') continue;
    const spec = Object.hasOwn(table, token.name) ? table[token.name] : undefined;
    if (!spec || token.rawName !== `--${token.name}`) throw new UsageError(`unknown option ${token.rawName}`);
    const name = token.name;
    if (!spec.type) {
      if (token.value !== undefined) {
        throw new UsageError(`--${name} takes no value, got ${JSON.stringify(token.value)}`);
      }
      raws.set(name, []);
      continue;
    }
    const placeholder = spec.type.placeholder;
    if (token.value === undefined) throw new UsageError(`--${name} needs a value (--${name} ${placeholder})`);
    // util.parseArgs takes the next word as the value even when it is another option: say so instead.
    if (!token.inlineValue && /^--[^-]/.test(token.value) && Object.hasOwn(table, token.value.slice(2).split('=')[0])) {
      throw new UsageError(`--${name} needs a value (--${name} ${placeholder}), got the option ${token.value}`);
    }
    const previous = raws.get(name) ?? [];
    if (!spec.list && previous.length > 0) throw new UsageError(`--${name} is given more than once`);
    raws.set(name, [...previous, token.value]);
  }
  const values: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(table)) {
    const given = raws.get(name);
    if (!spec.type) {
      values[name] = given !== undefined;
      continue;
    }
    const type = spec.type;
    const split = (v: string) => (spec.whole ? [v] : v.split(','));
    const items = spec.list
      ? (given ?? [])
          .flatMap(split)
          .map((s) => s.trim())
          .filter(Boolean)
      : given;
    if (spec.required && (items ?? []).length === 0) throw new UsageError(`--${name} ${type.placeholder} is required`);
    const parse = (raw: string) => {
      const value = type.parse(raw);
      if (value === undefined) throw invalid(name, type, raw);
      return value;
    };
    if (spec.list) values[name] = (items ?? []).map(parse);
    else values[name] = items === undefined ? spec.default : parse(items[0]);
  }
  return { values: values as OptionValues<O>, given: new Set(raws.keys()) as Set<keyof O & string> };
}
