/**
 * Bundle sizes and cold import, measured on the bundles as they are deployed.
 *
 *   npx tsx bench/bundles.ts
 *
 * Builds every function with esbuild exactly as the CDK stack does (the
 * options come from infra/aws/bundling.ts, the module the stack uses), prints
 * each bundle's minified size, the offers bundle's largest inputs (esbuild
 * metafile) and its cold import: the median of 10 fresh `node` processes that
 * each load the bundle the way Lambda loads a handler file (require() for
 * CommonJS, import() for an ES module) and time that with process.hrtime.
 *
 * What the cold-import figure includes: reading, compiling and evaluating the
 * bundle, and loading the `@aws-sdk/*` packages it leaves to the runtime,
 * which here come from the project's node_modules (the pinned versions stand
 * in for the runtime's copy; the bundles are written under
 * node_modules/.cache so that Node finds them). It excludes Node's own start,
 * the Lambda runtime's start and the first invocation (creating the SDK
 * clients, the first connection to DynamoDB). It is measured on this machine,
 * not on Lambda, whose arm64 share of a CPU at 1024 MB is slower.
 *
 * Measured, not asserted: the targets are printed next to the figures. The
 * process exits non-zero only when a function fails to build, or when the
 * offers bundle cannot be loaded at all (a bundle that does not load is a
 * failed build too).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { BundlingOptions } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as esbuild from 'esbuild';
import { BUNDLING, bundleFileName, esbuildOptions, nodeOptions } from '../infra/aws/bundling.js';
import { lambdaNames } from '../infra/aws/functions.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
/** Inside the project, so that the bundles resolve `@aws-sdk/*` from its node_modules. */
const OUT_DIR = path.join(ROOT, 'node_modules', '.cache', 'geo-offers-bundles');
const HOT_PATH = 'offers';
const RUNS = 10;
/** The targets of the offer hot path (issue "The offer hot path at internet scale"). */
export const TARGETS = { offersKb: 350, coldImportMs: 120 } as const;

export interface BundleRow {
  fn: string;
  kb: number;
}
export interface ColdImport {
  /** Median, min and max wall time of the load, in ms. */
  median: number;
  min: number;
  max: number;
  /** Median CPU time (user + system) of the load, in ms: steadier than wall time on a busy machine. */
  cpuMedian: number;
  runs: number;
}
export interface BundleReport {
  rows: BundleRow[];
  /** Offers: bytes in the bundle per package (or per source folder of the project), largest first. */
  largest: { input: string; kb: number }[];
  coldImport: ColdImport;
  /** The same load with NODE_OPTIONS=--enable-source-maps (what the stack prop `sourceMaps: true` costs). */
  coldImportWithSourceMaps?: ColdImport;
  /** For comparison, not deployed: the offers bundle with the AWS SDK bundled in instead of left to the runtime. */
  sdkBundled?: { kb: number; coldImport: ColdImport };
  markdown: string;
}

const kb = (bytes: number) => bytes / 1024;
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
};

/** The package (or the project folder) an esbuild input path belongs to. */
function ownerOf(input: string): string {
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input);
  if (pkg) return pkg[1];
  return input.split('/').slice(0, 2).join('/');
}

/** Build one function as deployed (or with other options, into another folder); returns the bundle's path and metafile. */
async function build(
  fn: string,
  variant?: { dir: string; options: BundlingOptions },
): Promise<{ file: string; metafile: esbuild.Metafile }> {
  const outdir = path.join(OUT_DIR, variant?.dir ?? fn);
  const options = esbuildOptions(path.join(ROOT, 'functions', `${fn}.ts`), outdir, variant?.options);
  const result = await esbuild.build({ ...options, absWorkingDir: ROOT, metafile: true, logLevel: 'error' });
  return { file: path.join(outdir, bundleFileName(variant?.options)), metafile: result.metafile };
}

/** Load `file` in a fresh node process, the way Lambda loads a handler file; returns the load's wall and CPU time in ms. */
function loadOnce(file: string, extraNodeOptions?: string): { wall: number; cpu: number } {
  const esm = file.endsWith('.mjs');
  const load = esm ? `await import(${JSON.stringify(pathToFileURL(file).href)})` : `require(${JSON.stringify(file)})`;
  const script =
    `const c0 = process.cpuUsage(); const t0 = process.hrtime.bigint(); ${load}; ` +
    'const wall = Number(process.hrtime.bigint() - t0) / 1e6; const c = process.cpuUsage(c0); ' +
    "process.stdout.write(wall + ' ' + (c.user + c.system) / 1000);";
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    // What the functions find in their environment on AWS (values are placeholders; nothing is called).
    TABLE_NAME: 'geo-offers-bench',
    OFFERS_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/000000000000/bench',
    DLQ_URL: 'https://sqs.eu-west-1.amazonaws.com/000000000000/bench-dlq',
    AWS_REGION: 'eu-west-1',
    POWERTOOLS_TRACER_CAPTURE_RESPONSE: 'false',
    POWERTOOLS_TRACER_CAPTURE_HTTPS_REQUESTS: 'false',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  };
  if (extraNodeOptions) env.NODE_OPTIONS = extraNodeOptions;
  else delete env.NODE_OPTIONS;
  const out = execFileSync(process.execPath, [...(esm ? ['--input-type=module'] : []), '-e', script], {
    cwd: path.dirname(file),
    env,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const [wall, cpu] = (out.trim().split('\n').pop() ?? '').split(' ').map(Number);
  if (!Number.isFinite(wall) || !Number.isFinite(cpu)) throw new Error(`Unexpected output from the load of ${file}: ${out}`);
  return { wall, cpu };
}

function coldImport(file: string, extraNodeOptions?: string): ColdImport {
  const loads = Array.from({ length: RUNS }, () => loadOnce(file, extraNodeOptions));
  const walls = loads.map((l) => l.wall);
  return {
    median: median(walls),
    min: Math.min(...walls),
    max: Math.max(...walls),
    cpuMedian: median(loads.map((l) => l.cpu)),
    runs: RUNS,
  };
}

/** `median ms (min–max), CPU n ms` */
const showLoad = (c: ColdImport) =>
  `${c.median.toFixed(0)} ms (${c.min.toFixed(0)}–${c.max.toFixed(0)}), CPU ${c.cpuMedian.toFixed(0)} ms`;

function toMarkdown(report: Omit<BundleReport, 'markdown'>): string {
  const offers = report.rows.find((r) => r.fn === HOT_PATH);
  const met = (ok: boolean) => (ok ? 'met' : 'not met');
  const ci = report.coldImport;
  const lines = [
    `Bundles as deployed (infra/aws/bundling.ts: ${BUNDLING.format}, target ${BUNDLING.target}, minified, ` +
      `external ${BUNDLING.externalModules?.join(', ') || 'none'}, source maps ${BUNDLING.sourceMap ? 'in a separate file, not loaded' : 'none'}); ` +
      `Node ${process.version}, esbuild ${esbuild.version}.`,
    '',
    '| function | bundle (KB, minified) |',
    '| --- | ---: |',
    ...report.rows.map((r) => `| ${r.fn} | ${r.kb.toFixed(0)} |`),
    '',
    `Largest inputs of the ${HOT_PATH} bundle:`,
    '',
    '| input | KB in the bundle |',
    '| --- | ---: |',
    ...report.largest.map((l) => `| ${l.input} | ${l.kb.toFixed(1)} |`),
    '',
    `| ${HOT_PATH} | measured | target |`,
    '| --- | ---: | --- |',
    `| bundle size | ${offers ? offers.kb.toFixed(0) : '?'} KB | <= ${TARGETS.offersKb} KB (${met(!!offers && offers.kb <= TARGETS.offersKb)}) |`,
    `| cold import, median of ${ci.runs} fresh processes (min–max) | ${showLoad(ci)} | <= ${TARGETS.coldImportMs} ms (${met(ci.median <= TARGETS.coldImportMs)}) |`,
  ];
  const sm = report.coldImportWithSourceMaps;
  if (sm) {
    lines.push(`| cold import with --enable-source-maps (stack prop sourceMaps) | ${showLoad(sm)} | not deployed by default |`);
  }
  const alt = report.sdkBundled;
  if (alt) {
    lines.push(
      `| comparison, not deployed: AWS SDK bundled in — size | ${alt.kb.toFixed(0)} KB | |`,
      `| comparison, not deployed: AWS SDK bundled in — cold import | ${showLoad(alt.coldImport)} | |`,
    );
  }
  lines.push(
    '',
    'Cold import: the load of the bundle and of the @aws-sdk packages it leaves to the runtime (here the pinned ones from node_modules), ' +
      "without Node's start or the first invocation; on this machine, not on Lambda. Wall time is the figure; CPU time " +
      'is shown because it varies less when other processes compete for the CPU.',
  );
  return lines.join('\n');
}

/** Build every function as deployed and measure; throws when a build fails or the offers bundle does not load. */
export async function measureBundles(): Promise<BundleReport> {
  rmSync(OUT_DIR, { recursive: true, force: true });
  mkdirSync(OUT_DIR, { recursive: true });
  const names = lambdaNames();
  const built = await Promise.all(names.map(async (fn) => ({ fn, ...(await build(fn)) })));
  const rows = built.map(({ fn, file }) => ({ fn, kb: kb(statSync(file).size) }));

  const offers = built.find((b) => b.fn === HOT_PATH);
  if (!offers) throw new Error(`No ${HOT_PATH} function in the deployment`);
  const output = Object.values(offers.metafile.outputs).find((o) => o.entryPoint);
  const byOwner = new Map<string, number>();
  for (const [input, { bytesInOutput }] of Object.entries(output?.inputs ?? {})) {
    byOwner.set(ownerOf(input), (byOwner.get(ownerOf(input)) ?? 0) + bytesInOutput);
  }
  const largest = [...byOwner]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 12)
    .map(([input, bytes]) => ({ input, kb: kb(bytes) }));

  const report: Omit<BundleReport, 'markdown'> = {
    rows,
    largest,
    coldImport: coldImport(offers.file, nodeOptions(false)),
    ...(BUNDLING.sourceMap ? { coldImportWithSourceMaps: coldImport(offers.file, nodeOptions(true)) } : {}),
  };
  if (BUNDLING.externalModules?.length) {
    const alt = await build(HOT_PATH, { dir: `${HOT_PATH}-sdk-bundled`, options: { ...BUNDLING, externalModules: [] } });
    report.sdkBundled = { kb: kb(statSync(alt.file).size), coldImport: coldImport(alt.file, nodeOptions(false)) };
  }
  return { ...report, markdown: toMarkdown(report) };
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  measureBundles().then(
    (report) => console.log(report.markdown),
    (error: unknown) => {
      console.error(error instanceof Error ? error.message : error);
      process.exit(1);
    },
  );
}
