import path from 'node:path';
import { type BundlingOptions, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { BuildOptions } from 'esbuild';

/**
 * How every function is bundled, in one place. The stack hands BUNDLING to
 * each NodejsFunction (CDK runs esbuild with it); bench/bundles.ts builds each
 * function with esbuildOptions(), the same settings in esbuild's own API, to
 * measure sizes and the cold import of the bundles as they are deployed.
 *
 * - `@aws-sdk/*` is not bundled: nodejs22.x ships AWS SDK v3 and the functions
 *   use the runtime's copy. Its version is the runtime's (AWS lists it under
 *   "Runtime-included SDK versions"; it trails npm and changes when AWS
 *   updates the runtime), not the one package.json pins and the tests run.
 *   Everything else is bundled, `@smithy/*` included: the HTTP handler with
 *   the request timeouts (shared/platform/clients.ts) must be the pinned
 *   version, whose timeout options the runtime's copy may not have.
 * - CommonJS output: Lambda loads `index.js` with require(). An ES module
 *   bundle importing the runtime's SDK (which is CommonJS) makes Node scan
 *   every SDK module for its export names first, which doubled the cold
 *   import in the measurements (see the README).
 * - Minified, for node22, packages' ES module builds first (`module` before
 *   `main`), which bundle smaller.
 * - Source maps are written next to the bundle (`index.js.map`, no sources
 *   inside) and never read unless asked for: Node only loads them with
 *   `--enable-source-maps` (stack prop `sourceMaps`).
 */
export const BUNDLING: BundlingOptions = Object.freeze({
  format: OutputFormat.CJS,
  target: 'node22',
  minify: true,
  sourceMap: true,
  sourcesContent: false,
  mainFields: ['module', 'main'],
  externalModules: ['@aws-sdk/*'],
});

/** The bundle's file name inside the function's asset: CDK writes `index.mjs` for ES modules, `index.js` otherwise. */
export function bundleFileName(options: BundlingOptions = BUNDLING): string {
  return options.format === OutputFormat.ESM ? 'index.mjs' : 'index.js';
}

/** The Node.js options the functions run with: none, or `--enable-source-maps` when source maps are asked for. */
export function nodeOptions(sourceMaps: boolean): string | undefined {
  return sourceMaps ? '--enable-source-maps' : undefined;
}

/** The BundlingOptions keys esbuildOptions() translates; any other key would make the bench build differ from the deployed one. */
const TRANSLATED = new Set<keyof BundlingOptions>([
  'format',
  'target',
  'minify',
  'sourceMap',
  'sourcesContent',
  'mainFields',
  'externalModules',
  'banner',
]);

/**
 * The esbuild build CDK runs for one function (aws-lambda-nodejs: `esbuild
 * --bundle <entry> --platform=node --target=… --format=… --outfile=… …`),
 * written to `outdir` under the deployed file name. Throws for a bundling
 * option it does not translate, so the two cannot drift apart silently.
 */
export function esbuildOptions(entry: string, outdir: string, options: BundlingOptions = BUNDLING): BuildOptions {
  const untranslated = Object.keys(options).filter((k) => !TRANSLATED.has(k as keyof BundlingOptions));
  if (untranslated.length) throw new Error(`esbuildOptions() does not translate bundling option(s): ${untranslated.join(', ')}`);
  // Where CDK would fill in a default of its own (target from the runtime, `@aws-sdk/*` as externals), ask for it explicitly.
  if (!options.target) throw new Error('The bundling options must name the esbuild target.');
  if (!options.externalModules) throw new Error('The bundling options must list externalModules (CDK has its own default).');
  return {
    entryPoints: [entry],
    bundle: true,
    platform: 'node',
    target: options.target,
    format: options.format === OutputFormat.ESM ? 'esm' : 'cjs',
    outfile: path.join(outdir, bundleFileName(options)),
    minify: options.minify ?? false,
    // CDK passes `--sourcemap` (a linked external file) when sourceMap is set.
    sourcemap: options.sourceMap ? 'linked' : false,
    sourcesContent: options.sourcesContent ?? true,
    external: [...options.externalModules],
    ...(options.mainFields ? { mainFields: [...options.mainFields] } : {}),
    ...(options.banner ? { banner: { js: options.banner } } : {}),
  };
}
