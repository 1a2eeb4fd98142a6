/** The per-check time limit when none is given: a backend that hangs fails that check, and the run goes on. */
export const DEFAULT_CHECK_TIMEOUT_MS = 60_000;

/** This run's per-check time limit: DIFFSPEC_CHECK_TIMEOUT_MS (`diffspec conformance --timeout`) or the default. */
export const CHECK_TIMEOUT_MS = Number(process.env.DIFFSPEC_CHECK_TIMEOUT_MS ?? DEFAULT_CHECK_TIMEOUT_MS);

/**
 * The time a backend gets to load (import its module, start its engine): at least the check limit, and never
 * less than this, since a short --timeout for checks says nothing of how long an engine takes to start.
 */
export const MIN_LOAD_TIMEOUT_MS = 60_000;
