// The PyTorch reference adapter (examples/python-torch), a backend over the process protocol version 2 that declares
// 'training': the training group checks torch autograd's gradients, torch.optim.Adam and torch.randint against the
// float64 reference, and every other group it declares runs too. Its deliberately broken variants (Adam without the
// bias corrections; the gradients of the summed loss) must each be caught by the check named for it.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SPEC_GROUPS } from '../spec/groups/index.js';
import { packageRoot } from '../src/paths.js';
import { expectationsFromEnv } from '../src/speckit/expectations.js';
import { runCheck } from '../src/speckit/runner.js';
import { suiteSeedFromEnv } from '../src/speckit/seed.js';
import { loadProgramBackend } from '../src/speckit/selection.js';
import { describeGroupFor, inProcessParticipant } from '../src/speckit/vitest.js';
import { declaredGroups, PYTHON, pythonUnavailable } from './python-adapters.js';

const ADAPTER = join(packageRoot(), 'examples', 'python-torch', 'backend.py');
const selector = `cmd:${PYTHON} ${ADAPTER}`;

const missing = pythonUnavailable(['numpy', 'torch'], ['python3-torch', 'python3-numpy']);
const suiteSeed = suiteSeedFromEnv();

if (missing) {
  describe.skip(`process backend torch: ${missing}`, () => undefined);
} else {
  const torch = await loadProgramBackend(selector);
  const capabilities = 'backend' in torch ? torch.backend.capabilities : [];
  const declared = declaredGroups(capabilities);

  it('speaks protocol version 2 and declares training', () => {
    expect('failed' in torch ? torch.failed : undefined).toBeUndefined();
    expect('backend' in torch && torch.backend.metadata?.protocol).toBe('2');
    expect(declared.map((g) => g.id)).toEqual(expect.arrayContaining(['training', 'loss', 'sampling']));
  });
  // Known gaps would go in expectations/torch.json, with their reasons; it has none.
  const expectations = expectationsFromEnv([torch.name]);
  const participant = 'backend' in torch ? inProcessParticipant(torch.backend, selector) : torch;
  for (const group of declared) describeGroupFor(group, [participant], { suiteSeed, expectations });

  describe('the deliberately broken variants of the adapter are caught', () => {
    const training = SPEC_GROUPS.find((g) => g.id === 'training')!;
    const variants = [
      {
        variant: 'adam-no-bias-correction',
        what: 'Adam without 1 / (1 - beta^k)',
        check: 'one Adam step equals the textbook update',
        message: /theta|m |v |exceeds|differs/i,
      },
      {
        variant: 'gradient-of-sum',
        what: "the summed loss's gradients, N times L_simple's",
        check: 'every parameter gradient equals central finite differences',
        message: /directional derivative/,
      },
    ];
    for (const { variant, what, check: prefix, message } of variants) {
      const check = training.checks.find((c) => c.name.startsWith(prefix))!;
      it(`${variant} (${what}) fails "training > ${check.name}"`, async () => {
        const broken = await loadProgramBackend(
          `cmd:/usr/bin/env DIFFSPEC_TORCH_BROKEN=${variant} ${PYTHON} ${ADAPTER}`,
        );
        if (!('backend' in broken))
          throw new Error(`the broken variant did not start: ${'failed' in broken ? broken.failed : broken.skipped}`);
        try {
          expect(broken.backend.name).toBe(`torch-broken-${variant}`);
          const result = await runCheck(training, check, broken.backend, suiteSeed);
          expect(result.status).toBe('fail');
          expect(result.message).toMatch(message);
        } finally {
          await broken.backend.dispose?.();
        }
      });
    }
  });
}
