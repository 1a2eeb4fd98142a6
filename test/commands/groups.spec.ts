// Every spec group is registered in spec/groups/index.ts (describeConformance runs that list) and has its
// spec/<id>.spec.ts (diffspec conformance runs those files).
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SPEC_GROUPS } from '../../spec/groups/index.js';
import { packageRoot } from '../../src/paths.js';

describe('spec group registry', () => {
  it('lists every group of spec/groups once, each with its spec file', async () => {
    const files = readdirSync(join(packageRoot(), 'spec', 'groups')).filter(
      (f) => f.endsWith('.ts') && f !== 'index.ts',
    );
    const exported = [];
    for (const f of files) {
      const mod = await import(`../../spec/groups/${f.replace(/\.ts$/, '.js')}`);
      exported.push(
        ...Object.values(mod).filter(
          (v): v is { id: string } => typeof v === 'object' && v !== null && 'checks' in v && 'id' in v,
        ),
      );
    }
    expect(SPEC_GROUPS.map((g) => g.id).sort()).toEqual(exported.map((g) => g.id).sort());
    for (const g of SPEC_GROUPS)
      expect(existsSync(join(packageRoot(), 'spec', `${g.id}.spec.ts`)), `spec/${g.id}.spec.ts`).toBe(true);
  });
});
