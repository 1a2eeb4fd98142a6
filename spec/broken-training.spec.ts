import { describe, expect, it } from 'vitest';
import { runCheck } from '../src/speckit/runner.js';
import { DEFAULT_SUITE_SEED } from '../src/speckit/seed.js';
import { BROKEN_TRAINING } from './broken/training.js';
import { trainingGroup } from './groups/training.js';

describe('the training specs catch deliberately broken backends', () => {
  for (const { bug, backend, caughtBy } of BROKEN_TRAINING) {
    for (const name of caughtBy) {
      it(`${bug}: "${name}" fails`, async () => {
        const check = trainingGroup.checks.find((c) => c.name === name);
        expect(check, `no training check named ${name}`).toBeDefined();
        const result = await runCheck(trainingGroup, check!, backend, DEFAULT_SUITE_SEED);
        expect(result.status, result.message).toBe('fail');
      });
    }
  }
});
