import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * The layout rules of ARCHITECTURE.md that a reader relies on: `test/unit`
 * mirrors the source tree file for file, and the layers point down only.
 */

const root = fileURLToPath(new URL('../../', import.meta.url));

function filesUnder(dir: string, suffix: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith(suffix)) out.push(relative(root, p).split('\\').join('/'));
    }
  };
  walk(join(root, dir));
  return out.sort();
}

/** The source file a unit test file is about: `test/unit/a/b.c.test.ts` → `shared/a/b.ts` (or infra/, functions/). */
function sourceOfUnitTest(testPath: string): string {
  const rel = testPath.replace(/^test\/unit\//, '');
  const dir = rel.includes('/') ? rel.slice(0, rel.lastIndexOf('/') + 1) : '';
  const base = rel.slice(dir.length).split('.')[0];
  const top = dir.split('/')[0];
  return top === 'infra' || top === 'functions' ? `${dir}${base}.ts` : `shared/${dir}${base}.ts`;
}

/** Relative imports of a module, resolved to repository paths. */
function importsOf(file: string): string[] {
  const src = readFileSync(join(root, file), 'utf8');
  const dir = file.slice(0, file.lastIndexOf('/'));
  const out: string[] = [];
  for (const m of src.matchAll(/(?:from|import)\s*\(?\s*'(\.{1,2}\/[^']+)'/g)) {
    const parts = `${dir}/${m[1]}`.split('/');
    const stack: string[] = [];
    for (const p of parts) {
      if (p === '..') stack.pop();
      else if (p !== '.') stack.push(p);
    }
    out.push(stack.join('/'));
  }
  return out;
}

/** Which layer of shared/ a path belongs to (undefined outside shared/). */
const layerOf = (path: string) => (path.startsWith('shared/') ? path.split('/')[1] : undefined);

/** Layers each layer of shared/ may import (ARCHITECTURE.md: arrows point down only). */
const MAY_IMPORT: Record<string, string[]> = {
  platform: ['platform'],
  domain: ['domain', 'platform'],
  store: ['store', 'domain', 'platform'],
  auth: ['auth', 'store', 'domain', 'platform'],
  delivery: ['delivery', 'store', 'domain', 'platform'],
  services: ['services', 'delivery', 'store', 'auth', 'domain', 'platform'],
  http: ['http', 'services', 'delivery', 'store', 'auth', 'domain', 'platform'],
};

/** Imports that point from a layer of shared/ to one it may not import. */
function upwardImports(files: { path: string; imports: string[] }[]): string[] {
  const upward: string[] = [];
  for (const { path, imports } of files) {
    const from = layerOf(path)!;
    for (const target of imports) {
      const to = layerOf(target);
      if (to && !(MAY_IMPORT[from] ?? []).includes(to)) upward.push(`${path} → ${target}`);
    }
  }
  return upward;
}

describe('repository layout', () => {
  it('maps a unit test to the source file it mirrors', () => {
    expect(sourceOfUnitTest('test/unit/domain/geo/h3index.property.test.ts')).toBe('shared/domain/geo/h3index.ts');
    expect(sourceOfUnitTest('test/unit/infra/aws/stack.test.ts')).toBe('infra/aws/stack.ts');
    expect(sourceOfUnitTest('test/unit/store/keys.test.ts')).toBe('shared/store/keys.ts');
  });

  it('keeps every unit test beside the mirror of a source file', () => {
    const orphans = filesUnder('test/unit', '.test.ts').filter((t) => !existsSync(join(root, sourceOfUnitTest(t))));
    expect(orphans).toEqual([]);
  });

  it('has a unit test for every pure module of the domain', () => {
    const sources = filesUnder('shared/domain', '.ts').filter((f) => !/\/(index|types)\.ts$/.test(f));
    const tested = new Set(filesUnder('test/unit', '.test.ts').map(sourceOfUnitTest));
    expect(sources.filter((s) => !tested.has(s))).toEqual([]);
  });

  it('points every import between the layers of shared/ down, never up', () => {
    const files = filesUnder('shared', '.ts').map((path) => ({ path, imports: importsOf(path) }));
    expect(upwardImports(files)).toEqual([]);
  });

  it('flags an upward import, and only that one, in a sample', () => {
    const sample = [
      { path: 'shared/store/db.ts', imports: ['shared/http/errors.js', 'shared/platform/config.js'] },
      { path: 'shared/services/offers.ts', imports: ['shared/store/offers.js', 'shared/domain/offers/select.js'] },
      { path: 'shared/domain/geo/h3index.ts', imports: ['shared/services/geo.js'] },
    ];
    expect(upwardImports(sample)).toEqual([
      'shared/store/db.ts → shared/http/errors.js',
      'shared/domain/geo/h3index.ts → shared/services/geo.js',
    ]);
  });
});
