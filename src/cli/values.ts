import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

/**
 * How an option's text becomes a typed value. `expected` says what a valid value is; help shows it next to the
 * option and a bad value's usage error quotes it, so the two never disagree.
 */
export interface ValueType<T> {
  /** The value's placeholder in help, e.g. N, FILE, ddpm|ddim. */
  placeholder: string;
  /** What a valid value is, e.g. "an integer >= 1"; empty when any text will do. */
  expected: string;
  /** What help says of the value, when not `expected` (the placeholder may already say it). */
  help?: string;
  /** The value, or undefined when `raw` is not a valid one. */
  parse(raw: string): T | undefined;
}

/** A safe integer >= `min`. */
export function integer(min: number, placeholder = 'N'): ValueType<number> {
  return {
    placeholder,
    expected: `an integer >= ${min}`,
    parse: (raw) => {
      const n = Number(raw);
      return raw.trim() !== '' && Number.isSafeInteger(n) && n >= min ? n : undefined;
    },
  };
}

/** Bounds of a number: `min` and `max` inclusive, `above` and `below` exclusive; each optional. */
export interface NumberRange {
  min?: number;
  above?: number;
  max?: number;
  below?: number;
}

/** A finite number within `range`. */
export function number(range: NumberRange, placeholder = 'X'): ValueType<number> {
  const bounds = [
    range.min !== undefined ? `>= ${range.min}` : '',
    range.above !== undefined ? `> ${range.above}` : '',
    range.max !== undefined ? `<= ${range.max}` : '',
    range.below !== undefined ? `< ${range.below}` : '',
  ].filter(Boolean);
  return {
    placeholder,
    expected: `a number${bounds.length > 0 ? ` ${bounds.join(' and ')}` : ''}`,
    parse: (raw) => {
      const n = Number(raw);
      const inRange =
        (range.min === undefined || n >= range.min) &&
        (range.above === undefined || n > range.above) &&
        (range.max === undefined || n <= range.max) &&
        (range.below === undefined || n < range.below);
      return raw.trim() !== '' && Number.isFinite(n) && inRange ? n : undefined;
    },
  };
}

/** One of a fixed list of words; the placeholder lists them ("ddpm|ddim"). */
export function oneOf<const C extends readonly string[]>(choices: C): ValueType<C[number]> {
  return {
    placeholder: choices.join('|'),
    expected: `one of ${choices.join(', ')}`,
    help: '',
    parse: (raw) => (choices.includes(raw) ? raw : undefined),
  };
}

/** Any non-empty text: a name or a path checked where it is used. */
export function text(placeholder: string): ValueType<string> {
  return { placeholder, expected: '', parse: (raw) => (raw === '' ? undefined : raw) };
}

/** A file that exists, as an absolute path. */
export function existingFile(placeholder = 'FILE'): ValueType<string> {
  const parse = (raw: string) => (raw !== '' && existsSync(raw) ? resolve(raw) : undefined);
  return { placeholder, expected: 'an existing file', parse };
}

/** A JavaScript regular expression, kept as its source text. */
export function pattern(placeholder = 'PATTERN'): ValueType<string> {
  return {
    placeholder,
    expected: 'a regular expression',
    parse: (raw) => {
      try {
        new RegExp(raw);
        return raw;
      } catch {
        return undefined;
      }
    },
  };
}
