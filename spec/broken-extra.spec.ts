// The memory and loops groups must each catch their deliberately broken backend (spec/broken/).
import { expect, it } from 'vitest';
import type { DiffusionBackend } from '../src/contract/backend.js';
import type { SpecGroup } from '../src/speckit/check.js';
import { runCheck } from '../src/speckit/runner.js';
import { suiteSeedFromEnv } from '../src/speckit/seed.js';
import { leakyTensorsBackend } from './broken/leakyTensors.js';
import { noiseDrawnOnceBackend } from './broken/noiseDrawnOnce.js';
import { loopsGroup } from './groups/loops.js';
import { memoryGroup } from './groups/memory.js';

async function failures(group: SpecGroup, backend: DiffusionBackend) {
  const results = [];
  // One check at a time: the live tensor count is engine-wide, concurrent checks would see each other's tensors.
  for (const check of group.checks) results.push({ check: check.name, ...(await runCheck(group, check, backend, suiteSeedFromEnv())) });
  return results.filter((r) => r.status === 'fail');
}

it('the memory group reports the leaky-tensors backend', async () => {
  const failed = await failures(memoryGroup, await leakyTensorsBackend());
  expect(failed.length).toBeGreaterThan(0);
  expect(failed[0].message).toMatch(/more live tensors/);
});

it('the loops group reports the noise-drawn-once backend', async () => {
  const failed = await failures(loopsGroup, noiseDrawnOnceBackend);
  expect(failed.map((f) => f.check)).toEqual([loopsGroup.checks[1].name]);
  expect(failed[0].message).toMatch(/sampleDdpm x_0.*exceeds the bound/);
});
