import { DiffspecInputError, requireInput, shown } from '../errors.js';

/** How a variance schedule is described, in case files and in code. */
export type ScheduleSpec =
  | { kind: 'linear' | 'quadratic'; T: number; betaStart: number; betaEnd: number }
  | { kind: 'cosine'; T: number; s?: number; maxBeta?: number }
  | { kind: 'sigmoid'; T: number; betaStart: number; betaEnd: number; sigmoidStart?: number; sigmoidEnd?: number }
  | { kind?: 'explicit'; betas: readonly number[] };

export const COSINE_DEFAULT_S = 0.008;
export const COSINE_DEFAULT_MAX_BETA = 0.999;
export const SIGMOID_DEFAULT_RANGE: readonly [number, number] = [-6, 6];

/** The seed's schedule: T = 100, betas = linspace(1e-4, 0.06, 100). */
export const SEED_SCHEDULE: ScheduleSpec = { kind: 'linear', T: 100, betaStart: 1e-4, betaEnd: 0.06 };
/** Ho et al. (2020): T = 1000, betas = linspace(1e-4, 0.02, 1000). */
export const DDPM_SCHEDULE: ScheduleSpec = { kind: 'linear', T: 1000, betaStart: 1e-4, betaEnd: 0.02 };

const KNOWN_FIELDS: Record<string, readonly string[]> = {
  linear: ['kind', 'T', 'betaStart', 'betaEnd'],
  quadratic: ['kind', 'T', 'betaStart', 'betaEnd'],
  cosine: ['kind', 'T', 's', 'maxBeta'],
  sigmoid: ['kind', 'T', 'betaStart', 'betaEnd', 'sigmoidStart', 'sigmoidEnd'],
  explicit: ['kind', 'betas'],
};

function finiteNumber(value: unknown, field: string): number {
  requireInput(
    typeof value === 'number' && Number.isFinite(value),
    field,
    `must be a finite number, got ${shown(value)}`,
  );
  return value;
}

function stepCount(value: unknown, field: string): number {
  requireInput(
    typeof value === 'number' && Number.isInteger(value) && value >= 1,
    field,
    `must be an integer >= 1, got ${shown(value)}`,
  );
  return value;
}

function betaValue(value: unknown, field: string): number {
  const b = finiteNumber(value, field);
  requireInput(b > 0 && b < 1, field, `must lie in (0, 1), got ${b}`);
  return b;
}

/** Validates an untrusted schedule description (e.g. from a case file); errors name the field. */
export function parseScheduleSpec(raw: unknown, field = 'schedule'): ScheduleSpec {
  requireInput(raw !== null && typeof raw === 'object' && !Array.isArray(raw), field, 'must be an object');
  const o = raw as Record<string, unknown>;
  const kind = o.kind ?? ('betas' in o ? 'explicit' : undefined);
  requireInput(
    typeof kind === 'string' && kind in KNOWN_FIELDS,
    `${field}.kind`,
    `must be one of ${Object.keys(KNOWN_FIELDS).join(', ')} (or give "betas"), got ${JSON.stringify(o.kind)}`,
  );
  for (const key of Object.keys(o)) {
    if (!KNOWN_FIELDS[kind].includes(key))
      throw new DiffspecInputError(
        `${field}.${key}`,
        `is not a field of a ${kind} schedule (known: ${KNOWN_FIELDS[kind].join(', ')})`,
      );
  }
  switch (kind) {
    case 'explicit': {
      requireInput(
        Array.isArray(o.betas) && o.betas.length >= 1,
        `${field}.betas`,
        'must be a non-empty array of numbers',
      );
      return { betas: o.betas.map((b, i) => betaValue(b, `${field}.betas[${i}]`)) };
    }
    case 'cosine': {
      const spec: ScheduleSpec = { kind, T: stepCount(o.T, `${field}.T`) };
      if (o.s !== undefined) {
        spec.s = finiteNumber(o.s, `${field}.s`);
        requireInput(spec.s >= 0, `${field}.s`, `must be >= 0, got ${spec.s}`);
      }
      if (o.maxBeta !== undefined) spec.maxBeta = betaValue(o.maxBeta, `${field}.maxBeta`);
      return spec;
    }
    default: {
      const T = stepCount(o.T, `${field}.T`);
      const betaStart = betaValue(o.betaStart, `${field}.betaStart`);
      const betaEnd = betaValue(o.betaEnd, `${field}.betaEnd`);
      if (kind === 'sigmoid') {
        const spec: ScheduleSpec = { kind, T, betaStart, betaEnd };
        if (o.sigmoidStart !== undefined) spec.sigmoidStart = finiteNumber(o.sigmoidStart, `${field}.sigmoidStart`);
        if (o.sigmoidEnd !== undefined) spec.sigmoidEnd = finiteNumber(o.sigmoidEnd, `${field}.sigmoidEnd`);
        return spec;
      }
      return { kind: kind as 'linear' | 'quadratic', T, betaStart, betaEnd };
    }
  }
}
