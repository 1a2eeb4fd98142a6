// The NumPy reference adapter (examples/python-numpy), a backend in another language over the process protocol
// (docs/protocol.md): every spec group whose capabilities it declares runs against it and must pass, and its
// deliberately broken variant (one formula changed) must be caught by the check named for it.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SPEC_GROUPS } from '../spec/groups/index.js';
import { packageRoot } from '../src/paths.js';
import { gaussianValues } from '../src/random/gaussian.js';
import { expectationsFromEnv } from '../src/speckit/expectations.js';
import { runCheck } from '../src/speckit/runner.js';
import { suiteSeedFromEnv } from '../src/speckit/seed.js';
import { loadProgramBackend } from '../src/speckit/selection.js';
import { describeGroupFor, inProcessParticipant } from '../src/speckit/vitest.js';
import { declaredGroups, PYTHON, pythonUnavailable } from './python-adapters.js';

const ADAPTER = join(packageRoot(), 'examples', 'python-numpy', 'backend.py');
const selector = `cmd:${PYTHON} ${ADAPTER}`;

const missing = pythonUnavailable(['numpy'], ['python3-numpy']);
const suiteSeed = suiteSeedFromEnv();

if (missing) {
  describe.skip(`process backend numpy: ${missing}`, () => undefined);
} else {
  const numpy = await loadProgramBackend(selector);
  const capabilities = 'backend' in numpy ? numpy.backend.capabilities : [];
  const declared = declaredGroups(capabilities);

  it('declares the groups it implements (schedule, forward, reverse, sampling, loss, embedding, random)', () => {
    expect('failed' in numpy ? numpy.failed : undefined).toBeUndefined();
    expect(declared.map((g) => g.id)).toEqual(
      expect.arrayContaining([
        'schedules',
        'forward',
        'noise',
        'posterior',
        'reverse',
        'sampling',
        'loops',
        'loss',
        'embedding',
        'inputs',
      ]),
    );
  });
  // Known gaps would go in expectations/numpy.json, with their reasons; it has none.
  const expectations = expectationsFromEnv([numpy.name]);
  const participant = 'backend' in numpy ? inProcessParticipant(numpy.backend, selector) : numpy;
  for (const group of declared) describeGroupFor(group, [participant], { suiteSeed, expectations });

  it('draws the shared Philox4x32-10 + Box-Muller noise: the pinned known answer, and 10^4 values', async () => {
    if (!('backend' in numpy)) throw new Error('the adapter did not start');
    // Box-Muller's log, sqrt, cos and sin are libm's: NumPy's and V8's differ in the last bits (the pinned first value
    // is ...6095 in V8 and ...6093 in NumPy), so the comparison allows a few units in the last place.
    const ulps = (a: number, b: number) => Math.abs(a - b) / (Number.EPSILON * Math.max(1, Math.abs(b)));
    const pinned = await numpy.backend.randomNormal({ shape: [2], seed: 42, stream: 3 });
    const pinnedUlps = Array.from(pinned.data, (v, i) => ulps(v, [-0.7503794762616095, -0.3792382485408338][i]));
    expect(Math.max(...pinnedUlps)).toBeLessThanOrEqual(4);
    const many = await numpy.backend.randomNormal({ shape: [10, 1000], seed: 2 ** 40 + 7, stream: 9 });
    const reference = gaussianValues(2 ** 40 + 7, 9, 10_000);
    expect(Math.max(...Array.from(many.data, (v, i) => ulps(v, reference[i])))).toBeLessThanOrEqual(16);
  });

  // The adapter under diffusers' conventions (DIFFSPEC_NUMPY_PROFILE, docs/conventions.md): declared in its handshake,
  // its timesteps 0..T-1 and diffusers' choices are checked against the float64 reference under the same profile.
  const diffusersSelector = `cmd:/usr/bin/env DIFFSPEC_NUMPY_PROFILE=diffusers ${PYTHON} ${ADAPTER}`;
  const underDiffusers = await loadProgramBackend(diffusersSelector);
  it('declares the diffusers profile when asked to follow it', () => {
    expect('backend' in underDiffusers ? underDiffusers.backend.metadata : underDiffusers).toMatchObject({
      profile: 'diffusers',
    });
  });
  const PROFILE_GROUPS = ['forward', 'posterior', 'reverse', 'loops', 'sampling', 'loss', 'inputs'];
  const diffusersParticipant =
    'backend' in underDiffusers ? inProcessParticipant(underDiffusers.backend, diffusersSelector) : underDiffusers;
  for (const group of declared.filter((g) => PROFILE_GROUPS.includes(g.id)))
    describeGroupFor(group, [diffusersParticipant], { suiteSeed, expectations: [] });

  describe('a deliberately broken variant of the adapter is caught', () => {
    const forward = SPEC_GROUPS.find((g) => g.id === 'forward')!;
    const check = forward.checks.find((c) => c.name.startsWith('closed form q(x_t | x_0)'))!;
    it(`alpha-bar-off-by-one (q_sample reads alpha-bar at t - 1) fails "forward > ${check.name}"`, async () => {
      const broken = await loadProgramBackend(
        `cmd:/usr/bin/env DIFFSPEC_NUMPY_BROKEN=alpha-bar-off-by-one ${PYTHON} ${ADAPTER}`,
      );
      if (!('backend' in broken))
        throw new Error(`the broken variant did not start: ${'failed' in broken ? broken.failed : broken.skipped}`);
      try {
        expect(broken.backend.name).toBe('numpy-broken-alpha-bar-off-by-one');
        const result = await runCheck(forward, check, broken.backend, suiteSeed);
        expect(result.status).toBe('fail');
        expect(result.message).toMatch(/qSample|alpha-bar|closed form|exceeds|differs/i);
      } finally {
        await broken.backend.dispose?.();
      }
    });
  });
}
