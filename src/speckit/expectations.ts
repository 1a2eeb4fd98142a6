import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DiffspecInputError, requireInput } from '../errors.js';
import { packageRoot } from '../paths.js';

/** A known gap of one backend: its failure is reported as xfail, or the check is not run at all (skip). */
export interface Expectation {
  status: 'xfail' | 'skip';
  reason: string;
}

/**
 * What one backend is expected to do, per check. Keys are check ids "<group> > <check name>"; '*' matches
 * any run of characters ("sampling > *" covers a whole group). The file format (JSON):
 *   { "backend": "tfjs:wasm", "checks": { "forward > one forward step ...": { "status": "xfail", "reason": "..." } } }
 */
export interface BackendExpectations {
  backend: string;
  checks: Record<string, Expectation>;
}

/** Validates an expectations file's content; errors name the field and the file. */
export function parseExpectations(raw: unknown, source: string): BackendExpectations {
  requireInput(
    raw !== null && typeof raw === 'object' && !Array.isArray(raw),
    source,
    'must hold a JSON object {"backend": ..., "checks": {...}}',
  );
  const o = raw as Record<string, unknown>;
  requireInput(
    typeof o.backend === 'string' && o.backend !== '',
    `${source}: backend`,
    'must name the backend the expectations are for',
  );
  requireInput(
    o.checks !== null && typeof o.checks === 'object' && !Array.isArray(o.checks),
    `${source}: checks`,
    'must be an object keyed by check id',
  );
  const checks: Record<string, Expectation> = {};
  for (const [id, e] of Object.entries(o.checks as Record<string, unknown>)) {
    const field = `${source}: checks[${JSON.stringify(id)}]`;
    requireInput(e !== null && typeof e === 'object', field, 'must be {"status": "xfail" | "skip", "reason": "..."}');
    const { status, reason } = e as Record<string, unknown>;
    requireInput(
      status === 'xfail' || status === 'skip',
      `${field}.status`,
      `must be "xfail" or "skip", got ${JSON.stringify(status)}`,
    );
    requireInput(
      typeof reason === 'string' && reason.trim() !== '',
      `${field}.reason`,
      'must say why (a non-empty string)',
    );
    checks[id] = { status, reason };
  }
  return { backend: o.backend, checks };
}

function readExpectationsFile(path: string): BackendExpectations {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new DiffspecInputError(
      path,
      `cannot read an expectations file: ${e instanceof Error ? e.message : String(e)}`,
    );
  }
  return parseExpectations(raw, path);
}

const wildcard = (pattern: string) =>
  new RegExp(
    `^${pattern
      .split('*')
      .map((p) => p.replace(/[\\^$.+?()[\]{}|]/g, '\\$&'))
      .join('.*')}$`,
  );

/** The expectation for one check id: an exact key first, then the first matching '*' pattern. */
export function expectationFor(
  expectations: readonly BackendExpectations[],
  backend: string,
  id: string,
): Expectation | undefined {
  const mine = expectations.filter((e) => e.backend === backend);
  for (const e of mine) if (id in e.checks) return e.checks[id];
  for (const e of mine)
    for (const [key, x] of Object.entries(e.checks)) if (key.includes('*') && wildcard(key).test(id)) return x;
  return undefined;
}

/**
 * The built-in file of a backend: expectations/<name>.json, with ':' written as '-' ("tfjs:wasm" -> tfjs-wasm.json).
 */
const builtinExpectationsPath = (backend: string) =>
  join(packageRoot(), 'expectations', `${backend.replace(/:/g, '-')}.json`);

/**
 * Expectations for a run: DIFFSPEC_EXPECTATIONS (comma-separated files, e.g. a third party's own) and the
 * built-in file of each named backend.
 */
export function expectationsFromEnv(
  backends: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
): BackendExpectations[] {
  const files = (env.DIFFSPEC_EXPECTATIONS ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((f) => resolve(f));
  for (const b of backends) {
    const builtin = builtinExpectationsPath(b);
    if (existsSync(builtin) && !files.includes(builtin)) files.push(builtin);
  }
  return files.map(readExpectationsFile);
}
