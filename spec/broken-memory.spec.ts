// The memory group must catch a backend that leaks device tensors (spec/broken/leakyTensors.ts).
import { expect, it } from 'vitest';
import { runCheck } from '../src/speckit/runner.js';
import { suiteSeedFromEnv } from '../src/speckit/seed.js';
import { leakyTensorsBackend } from './broken/leakyTensors.js';
import { memoryGroup } from './groups/memory.js';

it('the memory group reports the leaky-tensors backend', async () => {
  const backend = await leakyTensorsBackend();
  const results = [];
  // One at a time: the live tensor count is engine-wide, concurrent checks would see each other's tensors.
  for (const check of memoryGroup.checks) results.push(await runCheck(memoryGroup, check, backend, suiteSeedFromEnv()));
  const failures = results.filter((r) => r.status === 'fail');
  expect(failures.length, JSON.stringify(results.map((r) => r.status))).toBeGreaterThan(0);
  expect(failures[0].message).toMatch(/more live tensors/);
});
