// The suite is the product and the project's tests are apart: spec/ (what users run) ships with the package, test/
// (this project's own tests) does not, so nothing the package ships may import from test/.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { packageRoot } from '../src/paths.js';

const root = packageRoot();
/** The folders whose sources the package ships. */
const SHIPPED = ['src', 'spec', 'backends'];

const sourceFiles = (folder: string): string[] =>
  readdirSync(join(root, folder), { recursive: true, encoding: 'utf8' })
    .filter((f) => /\.(ts|mts|js|mjs)$/.test(f))
    .map((f) => join(folder, f));

/** Every module specifier a file names: static imports and re-exports, side-effect imports, dynamic import(). */
function importedSpecifiers(source: string): string[] {
  const patterns = [/\bfrom\s+['"]([^'"]+)['"]/g, /\bimport\s+['"]([^'"]+)['"]/g, /\bimport\(\s*[`'"]([^`'"$]+)/g];
  return patterns.flatMap((p) => [...source.matchAll(p)].map((m) => m[1]));
}

describe('package layout', () => {
  it('nothing the package ships imports from test/', () => {
    const offending: string[] = [];
    for (const file of SHIPPED.flatMap(sourceFiles)) {
      for (const specifier of importedSpecifiers(readFileSync(join(root, file), 'utf8'))) {
        if (!specifier.startsWith('.')) continue;
        const target = relative(root, resolve(root, dirname(file), specifier));
        if (target === 'test' || target.startsWith(`test/`)) offending.push(`${file} imports ${specifier}`);
      }
    }
    expect(offending).toEqual([]);
  });

  it('the import scan sees the imports it must', () => {
    const specifiers = importedSpecifiers(readFileSync(join(root, 'test', 'broken.spec.ts'), 'utf8'));
    expect(specifiers).toContain('./broken/index.js');
    // biome-ignore lint/suspicious/noTemplateCurlyInString: source text holding a template literal
    const sample = "import './a.js'; const m = await import(`../b/${x}.js`); export { y } from './c.js';";
    expect(importedSpecifiers(sample)).toEqual(['./c.js', './a.js', '../b/']);
  });

  it('npm pack ships spec/ and the built library, and leaves test/ out', () => {
    const npmArgs = ['pack', '--dry-run', '--json', '--ignore-scripts'];
    const listing = execFileSync('npm', npmArgs, { cwd: root, encoding: 'utf8' });
    const [pack] = JSON.parse(listing);
    const packed = new Set<string>(pack.files.map((f: { path: string }) => f.path));
    expect(sourceFiles('spec').filter((f) => !packed.has(f))).toEqual([]);
    expect([...packed].filter((f) => f.startsWith('test/') || f.startsWith('dist/test/'))).toEqual([]);
    for (const f of ['dist/src/cli/main.js', 'dist/src/index.js', 'dist/spec/groups/index.js', 'vitest.config.ts']) {
      expect(packed).toContain(f);
    }
  });
});
