// The backend registry (src/contract/registry.ts): a name is registered once; a second registration under the
// same name is an error, never a silent replacement of the backend the name stood for.
import { describe, expect, it } from 'vitest';
import { cpuBackend } from '../backends/cpu/index.js';
import { registerBackend, registeredBackends, resolveBackend } from '../src/contract/registry.js';

describe('backend registry', () => {
  it('refuses a duplicate name and keeps the first registration', async () => {
    const first = { name: 'registry-test:first', priority: -1, create: async () => cpuBackend };
    registerBackend(first);
    const impostor = { ...first, priority: 5, create: async () => ({ ...cpuBackend, name: 'impostor' }) };
    expect(() => registerBackend(impostor)).toThrow('backend "registry-test:first" is already registered');
    expect(registeredBackends().filter((r) => r.name === first.name)).toEqual([first]);
    const resolved = await resolveBackend(first.name);
    expect('backend' in resolved && resolved.backend).toBe(cpuBackend);
  });

  it('refuses a built-in name registered again by a third party', async () => {
    await import('../backends/index.js');
    const again = { name: 'cpu', priority: 0, create: async () => cpuBackend };
    expect(() => registerBackend(again)).toThrow(/already registered/);
  });
});
