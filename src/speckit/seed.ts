/** The suite seed when DIFFSPEC_SEED is unset: CI runs on it, so no check flakes. */
export const DEFAULT_SUITE_SEED = 20261126;

/** DIFFSPEC_SEED: an integer, or "random" for a fresh seed (nightly-style runs). */
export function suiteSeedFromEnv(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.DIFFSPEC_SEED;
  if (raw === undefined || raw === '') return DEFAULT_SUITE_SEED;
  if (raw === 'random') return Math.floor(Math.random() * 2 ** 31);
  const seed = Number(raw);
  if (!Number.isSafeInteger(seed) || seed < 0)
    throw new Error(`DIFFSPEC_SEED must be a non-negative integer or "random", got ${JSON.stringify(raw)}`);
  return seed;
}

/** A check's own seed: FNV-1a of its id mixed with the suite seed, so checks draw independent streams. */
export function checkSeed(suiteSeed: number, id: string): number {
  let h = 0x811c9dc5 ^ (suiteSeed >>> 0) ^ Math.floor(suiteSeed / 2 ** 32);
  for (let i = 0; i < id.length; i++) {
    h ^= id.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}
