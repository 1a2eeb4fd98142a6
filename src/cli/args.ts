import { UsageError } from './command.js';

export interface ParsedArgs {
  values: Map<string, string[]>;
  flags: Set<string>;
}

/**
 * Parses `--name value`, `--name=value` and boolean `--flag` arguments. `valued` lists the options that
 * take a value (they may repeat), `flags` the boolean ones; anything else is a usage error.
 */
export function parseArgs(argv: string[], valued: readonly string[], flags: readonly string[] = []): ParsedArgs {
  const values = new Map<string, string[]>();
  const seen = new Set<string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith('--')) throw new UsageError(`unexpected argument ${JSON.stringify(arg)}`);
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq < 0 ? undefined : eq);
    if (flags.includes(name)) {
      if (eq >= 0) throw new UsageError(`--${name} takes no value`);
      seen.add(name);
      continue;
    }
    if (!valued.includes(name)) throw new UsageError(`unknown option --${name}`);
    const value = eq >= 0 ? arg.slice(eq + 1) : argv[++i];
    if (value === undefined) throw new UsageError(`--${name} needs a value`);
    values.set(name, [...(values.get(name) ?? []), value]);
  }
  return { values, flags: seen };
}

/** The single value of an option, or the default. */
export function single(args: ParsedArgs, name: string, fallback?: string): string | undefined {
  const v = args.values.get(name);
  if (v && v.length > 1) throw new UsageError(`--${name} given more than once`);
  return v?.[0] ?? fallback;
}

/** An integer option (at least `min`), or the default. */
export function integerOption(args: ParsedArgs, name: string, fallback: number, min: number): number {
  const raw = single(args, name);
  if (raw === undefined) return fallback;
  return integerValue(raw, name, min);
}

/** Parses one integer value of option `name`. */
export function integerValue(raw: string, name: string, min: number): number {
  const n = Number(raw);
  if (raw.trim() === '' || !Number.isSafeInteger(n) || n < min) throw new UsageError(`--${name} must be an integer >= ${min}, got ${JSON.stringify(raw)}`);
  return n;
}

/** Every value of a repeatable, comma-separated option ("--backend a,b --backend c"), in order. */
export function listOption(args: ParsedArgs, name: string): string[] {
  return (args.values.get(name) ?? []).flatMap((v) => v.split(',')).map((s) => s.trim()).filter(Boolean);
}
