import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as esbuild from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUNDLING, bundleFileName, esbuildOptions, nodeOptions } from '../../../../infra/aws/bundling.js';

const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));

describe('the bundling options every function is deployed with', () => {
  it('leave the AWS SDK to the runtime and bundle everything else, @smithy included', () => {
    expect(BUNDLING.externalModules).toEqual(['@aws-sdk/*']);
    expect(BUNDLING.nodeModules).toBeUndefined();
  });

  it('build a minified CommonJS bundle for node22 from the packages’ ES module builds first', () => {
    expect(BUNDLING).toMatchObject({ format: OutputFormat.CJS, target: 'node22', minify: true, mainFields: ['module', 'main'] });
    expect(bundleFileName()).toBe('index.js');
    expect(bundleFileName({ ...BUNDLING, format: OutputFormat.ESM })).toBe('index.mjs');
  });

  it('write source maps to a separate file, without sources, loaded only when asked for', () => {
    expect(BUNDLING.sourceMap).toBe(true);
    expect(BUNDLING.sourcesContent).toBe(false);
    expect(BUNDLING.sourceMapMode).toBeUndefined(); // default: a linked file, not inline in the bundle
    expect(nodeOptions(false)).toBeUndefined();
    expect(nodeOptions(true)).toBe('--enable-source-maps');
  });
});

describe('esbuildOptions (the build CDK runs, in esbuild’s API)', () => {
  it('translates every option as CDK passes it on the esbuild command line', () => {
    expect(esbuildOptions('/src/functions/offers.ts', '/out/offers')).toEqual({
      entryPoints: ['/src/functions/offers.ts'],
      bundle: true,
      platform: 'node',
      target: 'node22',
      format: 'cjs',
      outfile: '/out/offers/index.js',
      minify: true,
      sourcemap: 'linked',
      sourcesContent: false,
      external: ['@aws-sdk/*'],
      mainFields: ['module', 'main'],
    });
  });

  it('keeps an ES module build, a banner and no source maps when the options say so', () => {
    const options = esbuildOptions('/e.ts', '/o', {
      ...BUNDLING,
      format: OutputFormat.ESM,
      sourceMap: false,
      banner: '// b',
      externalModules: [],
    });
    expect(options).toMatchObject({
      format: 'esm',
      outfile: '/o/index.mjs',
      sourcemap: false,
      banner: { js: '// b' },
      external: [],
    });
  });

  it('refuses an option it does not translate, and the ones CDK would default on its own', () => {
    expect(() => esbuildOptions('/e.ts', '/o', { ...BUNDLING, define: { X: '1' } })).toThrow(/define/);
    expect(() => esbuildOptions('/e.ts', '/o', { ...BUNDLING, target: undefined })).toThrow(/target/);
    expect(() => esbuildOptions('/e.ts', '/o', { ...BUNDLING, externalModules: undefined })).toThrow(/externalModules/);
  });
});

describe('the offers function built as deployed', () => {
  let outdir: string;
  let metafile: esbuild.Metafile;
  let bundle: string;

  beforeAll(async () => {
    outdir = mkdtempSync(path.join(os.tmpdir(), 'geo-offers-bundle-test-'));
    const result = await esbuild.build({
      ...esbuildOptions(path.join(ROOT, 'functions', 'offers.ts'), outdir),
      absWorkingDir: ROOT,
      metafile: true,
      logLevel: 'silent',
    });
    metafile = result.metafile;
    bundle = readFileSync(path.join(outdir, 'index.js'), 'utf8');
  }, 60_000);
  afterAll(() => rmSync(outdir, { recursive: true, force: true }));

  const output = () => Object.values(metafile.outputs).find((o) => o.entryPoint)!;

  it('contains no AWS SDK code and requires the SDK clients from the runtime', () => {
    const inputs = Object.keys(output().inputs);
    expect(inputs.filter((i) => i.includes('node_modules/@aws-sdk/'))).toEqual([]);
    const external = new Set(
      output()
        .imports.filter((i) => i.external)
        .map((i) => i.path),
    );
    expect(external).toContain('@aws-sdk/client-dynamodb');
    expect(bundle).toMatch(/require\("@aws-sdk\/client-dynamodb"\)/);
  });

  it('leaves nothing else to the runtime but Node built-ins', () => {
    const builtins = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));
    const external = output()
      .imports.filter((i) => i.external)
      .map((i) => i.path)
      .filter((p) => !builtins.has(p) && !p.startsWith('@aws-sdk/'));
    expect(external).toEqual([]);
    expect(Object.keys(output().inputs).some((i) => i.includes('node_modules/h3-js/'))).toBe(true);
  });

  it('carries no X-Ray SDK: the hot path is traced by Lambda alone (shared/platform/tracer.ts)', () => {
    const inputs = Object.keys(output().inputs);
    expect(inputs.filter((i) => /node_modules\/(aws-xray-sdk-core|@aws-lambda-powertools\/tracer)\//.test(i))).toEqual([]);
    expect(inputs).not.toContain('shared/http/pipeline/xray.ts');
  });

  it('stays within 500 KB minified (447 KB once the X-Ray SDK left it, then jose for shopper tokens, 16 KB; bench/bundles.ts prints what it is made of)', () => {
    expect(statSync(path.join(outdir, 'index.js')).size).toBeLessThanOrEqual(500 * 1024);
  });

  it('links a separate source map without sources and does not inline it', () => {
    expect(bundle.trimEnd().endsWith('//# sourceMappingURL=index.js.map')).toBe(true);
    expect(bundle).not.toContain('sourceMappingURL=data:');
    const map = JSON.parse(readFileSync(path.join(outdir, 'index.js.map'), 'utf8'));
    expect(map.sources.length).toBeGreaterThan(10);
    expect(map.sourcesContent).toBeUndefined();
  });

  it('is a CommonJS module exporting the handler', () => {
    expect(existsSync(path.join(outdir, 'index.mjs'))).toBe(false);
    expect(output().exports).toEqual([]); // CommonJS: no ES exports
    expect(bundle).toMatch(/module\.exports/);
    expect(bundle).toMatch(/handler/);
  });
});

describe('the other functions built as deployed', () => {
  /** The inputs of one function's bundle (built in memory). */
  async function inputsOf(fn: string): Promise<string[]> {
    const result = await esbuild.build({
      ...esbuildOptions(path.join(ROOT, 'functions', `${fn}.ts`), path.join(os.tmpdir(), 'unused')),
      absWorkingDir: ROOT,
      metafile: true,
      write: false,
      logLevel: 'silent',
    });
    const output = Object.values(result.metafile.outputs).find((o) => o.entryPoint)!;
    return Object.keys(output.inputs);
  }

  it.each(['tenants', 'deliver', 'stream', 'retention'])(
    '%s keeps the X-Ray SDK: a subsegment per AWS SDK call',
    async (fn) => {
      const inputs = await inputsOf(fn);
      expect(inputs).toContain('shared/http/pipeline/xray.ts');
      expect(inputs.some((i) => i.includes('node_modules/aws-xray-sdk-core/'))).toBe(true);
    },
    60_000,
  );
});
