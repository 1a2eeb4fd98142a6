// The settings of `diffspec compare` and what a sweep may vary: kept apart from the comparison itself, so that the CLI
// declares its options without loading the operations.

/** The setting when none is given: Ho et al.'s T = 1000, loops of 50 steps (DDIM's usual sampling length). */
export const DEFAULT_SETTING = { T: 1000, steps: 50 } as const;

/** What a sweep varies, with what each value means; the loops' length concerns only the loops. */
export const SWEEP_AXES = {
  size: { title: 'tensor size (elements)', loopsOnly: false },
  T: { title: 'schedule length T', loopsOnly: false },
  steps: { title: 'loop length (steps)', loopsOnly: true },
} as const;

export type SweepAxis = keyof typeof SWEEP_AXES;
export interface Sweep {
  axis: SweepAxis;
  values: number[];
}

/** "size=1e3,1e5,1e6" as a sweep, or undefined when it is not one (the CLI's value type). */
export function parseSweep(raw: string): Sweep | undefined {
  const match = /^(\w+)=(.+)$/.exec(raw.trim());
  if (!match || !Object.hasOwn(SWEEP_AXES, match[1])) return undefined;
  const values = match[2].split(',').map((v) => (v.trim() === '' ? NaN : Number(v)));
  if (!values.every((v) => Number.isSafeInteger(v) && v >= 1)) return undefined;
  return { axis: match[1] as SweepAxis, values };
}
