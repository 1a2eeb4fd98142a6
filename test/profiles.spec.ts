// Convention profiles (src/conventions, docs/conventions.md): a backend that implements diffusers' conventions correctly
// passes under the diffusers profile and fails, on the checks of each choice, when it declares improved-diffusion; each
// flag alone moves exactly its checks. Profiles and flags are validated with errors naming the field. That a profile
// hides no bug is test/broken/profiles.ts.
import { describe, expect, it } from 'vitest';
import { cpuDiffusersBackend } from '../backends/cpu/diffusers.js';
import { cpuBackend } from '../backends/cpu/index.js';
import { cpuKernels } from '../backends/cpu/kernels.js';
import { SPEC_GROUPS } from '../spec/groups/index.js';
import { evaluateCase } from '../src/cases/evaluate.js';
import { compareBackends } from '../src/compare/compare.js';
import { compareInputs } from '../src/compare/operations.js';
import type { DiffusionBackend } from '../src/contract/backend.js';
import { type ConventionFlags, PROFILES, resolveProfile } from '../src/conventions/profile.js';
import { DiffspecInputError } from '../src/errors.js';
import { composeBackend } from '../src/pipeline/compose.js';
import { summaryMarkdown } from '../src/report/summary.js';
import { checkId } from '../src/speckit/check.js';
import { runCheck } from '../src/speckit/runner.js';
import { suiteSeedFromEnv } from '../src/speckit/seed.js';
import { contractMismatch, loadProgramBackend } from '../src/speckit/selection.js';
import type { CheckName } from './broken/broken.js';

/** The groups whose checks involve timesteps or the reverse process: where a profile can matter. */
const GROUPS = ['forward', 'posterior', 'reverse', 'loops', 'sampling', 'loss', 'inputs', 'guidance'];
const CHECKS = SPEC_GROUPS.filter((g) => GROUPS.includes(g.id)).flatMap((group) =>
  group.checks.map((check) => ({ group, check, id: checkId(group, check) as CheckName })),
);

/** The checks of `ids` (all of GROUPS when absent) that fail on the backend, with their messages' first lines. */
async function failing(backend: DiffusionBackend, ids?: readonly CheckName[]): Promise<[CheckName, string][]> {
  const failed: [CheckName, string][] = [];
  for (const { group, check, id } of CHECKS.filter((c) => !ids || ids.includes(c.id))) {
    const r = await runCheck(group, check, backend, suiteSeedFromEnv());
    if (r.status === 'fail') failed.push([id, r.message?.split('\n')[0] ?? '']);
  }
  return failed;
}

const REVERSE = (name: string): CheckName => `reverse > ${name}`;
const P_MEAN_VARIANCE = REVERSE(
  'p_mean_variance: x0^, the mean at x0^ and sigma^2 for every prediction, variance and clip option',
);
const LEARNED_RANGE = REVERSE(
  'learned_range interpolates the log-variance between beta~_t (v = -1) and beta_t (v = +1)',
);
const DDIM_STEP = REVERSE(
  'a DDIM step follows eq. 12 for every option and eta in [0, 1], from t to any earlier timestep',
);
const DDIM_IS_DDPM = REVERSE('DDIM with eta = 1 and the previous timestep equals the DDPM step with fixed_small');
const DDIM_INVERSION = REVERSE(
  'the DDIM reverse step is eq. 12 run forward for every option, from t to any later timestep',
);
const DDIM_LOOP: CheckName =
  "loops > sampleDdim is the float64 recursion of DDIM steps on the backend's noise, every option and eta";
const DDPM_LOOP: CheckName =
  "loops > sampleDdpm is the float64 recursion of DDPM steps on the backend's noise, under every option";

/** What each choice alone changes: checks that fail when a backend makes it but declares improved-diffusion. */
const CHECKS_OF: { [F in keyof ConventionFlags]: CheckName[] } = {
  firstTimestep: [
    'forward > closed form q(x_t | x_0) is sqrt(alpha-bar_t) x_0 + sqrt(1 - alpha-bar_t) e',
    P_MEAN_VARIANCE,
    DDPM_LOOP,
    'inputs > invalid arguments throw an error that names the field',
  ],
  ddimEps: [DDIM_STEP, DDIM_INVERSION, DDIM_LOOP],
  ddimFinalAlphaBar: [
    DDIM_STEP,
    DDIM_IS_DDPM,
    DDIM_LOOP,
    'sampling > DDIM with eta = 1 over the full schedule equals DDPM with fixed_small',
  ],
  firstStepVariance: [P_MEAN_VARIANCE, LEARNED_RANGE],
};

describe('convention profiles', () => {
  it('the reference under diffusers passes every check of the groups a profile concerns', async () => {
    expect(cpuDiffusersBackend.metadata).toMatchObject({ profile: 'diffusers' });
    expect(await failing(cpuDiffusersBackend)).toEqual([]);
  }, 120_000);

  it('declared as improved-diffusion, it fails the checks of every choice', async () => {
    const undeclared = { ...cpuDiffusersBackend, profile: undefined };
    const ids = [...new Set(Object.values(CHECKS_OF).flat())];
    expect((await failing(undeclared, ids)).map(([id]) => id).sort()).toEqual(ids.sort());
  }, 120_000);

  for (const [flag, ids] of Object.entries(CHECKS_OF)) {
    it(`${flag} alone: its checks pass when declared and fail when not`, async () => {
      const backend = composeBackend(cpuKernels, { [flag]: PROFILES.diffusers[flag as keyof ConventionFlags] });
      expect(await failing(backend, ids)).toEqual([]);
      const failed = await failing({ ...backend, profile: undefined }, ids);
      expect(failed.map(([id]) => id).sort()).toEqual([...ids].sort());
    }, 120_000);
  }

  it('an unknown profile or flag is an input error naming the field', () => {
    const fieldOf = (spec: unknown) => {
      try {
        resolveProfile(spec);
      } catch (e) {
        return e instanceof DiffspecInputError ? e.field : `not an input error: ${e}`;
      }
      return 'accepted';
    };
    expect(fieldOf('diffuser')).toBe('profile');
    expect(fieldOf(3)).toBe('profile');
    expect(fieldOf({ base: 'k-diffusion' })).toBe('profile.base');
    expect(fieldOf({ ddimFinalAlpha: 'one' })).toBe('profile.ddimFinalAlpha');
    expect(fieldOf({ firstTimestep: 2 })).toBe('profile.firstTimestep');
    expect(resolveProfile({ base: 'diffusers', ddimFinalAlphaBar: 'one' }).profile).toBe(
      'diffusers (ddimFinalAlphaBar=one)',
    );
  });

  it('a module or program that declares an unknown profile is refused at load, naming the field', async () => {
    expect(contractMismatch({ ...cpuBackend, profile: { ddimEps: 'model' } })).toMatch(
      /profile\.ddimEps: must be one of/,
    );
    // A program whose initialize declares a flag that does not exist.
    const handshake = JSON.stringify({
      protocolVersion: 1,
      name: 'p',
      precision: 'float64',
      capabilities: ['schedule'],
      profile: { base: 'diffusers', finalAlpha: 'one' },
    });
    const program = `process.stdin.once('data', (l) => { const { id } = JSON.parse(l); console.log(JSON.stringify({ jsonrpc: '2.0', id, result: ${handshake} })); })`;
    const selected = await loadProgramBackend(`cmd:${process.execPath} -e "${program.replaceAll('"', "'")}"`);
    expect('failed' in selected ? selected.failed : 'loaded').toMatch(/initialize answered profile\.finalAlpha/);
  });

  it("diffspec compare runs the reference under each backend's profile", async () => {
    const inputs = compareInputs({ seed: 3, shape: [1, 3, 2, 2] });
    const cells = await compareBackends(cpuKernels, [cpuDiffusersBackend], inputs, 0);
    expect(cells.filter((c) => 'maxAbsError' in c && c.maxAbsError !== 0)).toEqual([]);
    expect(cells.filter((c) => 'maxAbsError' in c).length).toBeGreaterThan(5);
    const undeclared = await compareBackends(cpuKernels, [{ ...cpuDiffusersBackend, profile: undefined }], inputs, 0);
    expect(undeclared.filter((c) => 'maxAbsError' in c && c.maxAbsError > 0).length).toBeGreaterThan(5);
  });

  it('summary.md names the profile of each backend that declares one', () => {
    const run = { startedAt: '2026-01-01T00:00:00.000Z', durationMs: 1, suiteSeed: 1 };
    const versions = { diffspec: '0', node: 'v20', vitest: '4' };
    const backends = [{ name: 'cpu' }, { name: 'cpu-diffusers', metadata: { profile: 'diffusers' } }];
    const summary = summaryMarkdown({ run: { ...run, versions, backends }, results: [], errors: [] });
    expect(summary).toContain('Convention profiles: cpu-diffusers follows diffusers');
  });

  it('case files carry a profile: the scheduler index k is the paper t = k + 1', async () => {
    const schedule = { kind: 'linear', T: 100, betaStart: 1e-4, betaEnd: 0.06 };
    const inputs = { x0: { shape: [1, 2], data: [0.5, -0.5] }, noise: { shape: [1, 2], data: [1, 0] } };
    const paper = await evaluateCase(cpuBackend, { op: 'q_sample', schedule, inputs: { ...inputs, t: [10] } });
    const diffusersCase = { op: 'q_sample', schedule, inputs: { ...inputs, t: [9] }, profile: 'diffusers' };
    expect(await evaluateCase(cpuDiffusersBackend, diffusersCase)).toEqual(paper);
    await expect(evaluateCase(cpuBackend, diffusersCase)).rejects.toMatchObject({ field: 'profile' });
    await expect(evaluateCase(cpuBackend, { ...diffusersCase, profile: 'k' })).rejects.toMatchObject({
      field: 'profile',
    });
  });
});
