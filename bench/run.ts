/**
 * `npm run bench` — the offer hot path measured on the real stack, in this
 * process (DynamoDB Local in memory, the SQS server, the function handlers
 * behind the local gateway, the delivery poller and the stream poller), with
 * a meter on the DynamoDB client. `npm run bench -- --quick`: N = 1,000 and
 * 10,000 only. Measured, not asserted: it prints markdown and writes
 * bench/results.md and bench/latency.svg.
 */
import './env.js';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Principal } from '../shared/auth/principal.js';
import type { GeofenceInput } from '../shared/services/geo.js';
import { Client, pool, type Reply, shopperToken } from './client.js';
import { type BackgroundSample, billedSqs, type CostReport, type MeasuredRequest, requestCost } from './cost.js';
import {
  constantSquare,
  DENSITY_PER_KM2,
  fence,
  type GeneratedFence,
  type Geometry,
  METRO_SIDE_KM,
  metroSquare,
  regularPolygon,
  requestPoints,
  rng,
  type Square,
  starPolygon,
} from './datasets.js';
import { naiveMatch } from './naive.js';
import { billedUnits, PRICES } from './prices.js';
import { int, latencySvg, max, mean, num, pct, table, usd } from './report.js';
import { type BenchStack, type Invocation, startBenchStack } from './stack.js';

const ROOT = path.resolve(import.meta.dirname, '..');
const QUICK = process.argv.includes('--quick');
/** `--sizes=1000,10000` measures only those dataset sizes (a partial run, for trying things out). */
const SIZES_ARG = process.argv.find((a) => a.startsWith('--sizes='));
const SIZES = SIZES_ARG
  ? SIZES_ARG.slice('--sizes='.length).split(',').map(Number)
  : QUICK
    ? [1_000, 10_000]
    : [1_000, 10_000, 100_000];
/** Offer requests measured per dataset, after a warm-up. */
const REQUESTS = QUICK ? 160 : 400;
const WARMUP = 16;
const CONCURRENCY = 8;
/** Naive lookups per dataset size (sequential), and the time they may take (at least 3 are made). */
const NAIVE_SAMPLES: Record<number, number> = QUICK ? { 1000: 12, 10000: 8 } : { 1000: 30, 10000: 20, 100000: 20 };
const NAIVE_BUDGET_MS = QUICK ? 15_000 : 120_000;
/** Index lookups alone (in this process, sequential) per dataset, on the same points. */
const LOOKUP_SAMPLES = 30;
const BURST = 2_000;
const BURST_CONCURRENCY = 16;
const AFTER_BURST_MS = 5_000;
const HEAVY_FENCES = 40;
const HEAVY_VERTICES = 2_000;
const HEAVY_SAMPLES = QUICK ? 12 : 40;
const HEAVY_IN_FLIGHT = 10;
/**
 * Fences per seedGeofences call, and calls in flight: about 50 BatchWriteItem
 * calls in flight, DynamoDB Local's best throughput here; many more queue
 * past the SDK's request timeout on a busy machine.
 */
const SEED_CHUNK = 50;
const SEED_CONCURRENCY = 2;
const TARGET_SHARE = 0.1;

const progress = (msg: string) => process.stderr.write(`[bench ${((performance.now() - T0) / 1000).toFixed(0)} s] ${msg}\n`);
/** Where the run's time went: the start of each part. */
const marks: { name: string; at: number }[] = [];
const mark = (name: string) => marks.push({ name, at: performance.now() });
const T0 = performance.now();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface BenchTenant {
  id: string;
  p: Principal;
  adminKey: string;
  pubKey: string;
  /** Shopper-token signing key (API v1.1), when the API has them. */
  tokenKey?: { kid: string; secret: string };
}

interface OfferSample {
  ms: number;
  status: number;
  offers: number;
  invocations: Invocation[];
}

interface ClassStats {
  count: number;
  p50: number;
  p95: number;
  p99: number;
  roundsMean: number;
  roundsMax: number;
  roundsP99: number;
  callsMean: number;
  rru: number;
  wru: number;
  lambdaMs: number;
}

interface DatasetResult {
  density: 'constant' | 'city';
  n: number;
  areaKm2: number;
  seedS: number;
  seeded: number;
  rps: number;
  errors: number;
  all: ClassStats;
  noOffer: ClassStats;
  offer: ClassStats;
  naive?: { p50: number; samples: number; fencesRead: number };
  /** The index lookup alone (findFences in this process, sequential): the naive matcher's like-for-like. */
  lookup?: { p50: number; samples: number };
  samples: OfferSample[];
  sameAs?: string;
}

async function main() {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'geo-offers-bench-'));
  progress(`starting the stack in-process (${QUICK ? 'quick' : 'full'} run)`);
  mark('starting the stack (startBackends, handlers, gateway, pollers)');
  const stack = await startBenchStack(dataDir);
  const client = new Client(stack);
  const { startReceiver } = await import('../test/support/receiver.js');
  const receiver = await startReceiver(() => 204);
  const md: string[] = [];
  const out = (s = '') => {
    md.push(s);
    process.stdout.write(`${s}\n`);
  };
  try {
    await run(stack, client, receiver, out);
  } finally {
    await receiver.close().catch(() => undefined);
    await stack.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
  const totalS = (performance.now() - T0) / 1000;
  mark('end');
  out('');
  out('## Run time by part');
  out('');
  out(
    table(
      ['part', 's'],
      marks.slice(0, -1).map((m, i) => [m.name, num((marks[i + 1].at - m.at) / 1000, 1)]),
    ),
  );
  out('');
  const failed = Object.entries(stack.failedBatches());
  out(
    `Background batches that failed and were handed again (stream, delivery): ${failed.length ? failed.map(([f, n]) => `${f} ${n}`).join(', ') : 'none'}.`,
  );
  out(`Setup calls retried after an error: ${retried.length}${retried.length ? ` (${[...new Set(retried)].join(', ')})` : ''}.`);
  out(
    `Load average at the end (1, 5, 15 min): ${os
      .loadavg()
      .map((x) => x.toFixed(2))
      .join(', ')} on ${os.cpus().length} cores.`,
  );
  out(
    `Run time: ${num(totalS, 0)} s (${QUICK && !SIZES_ARG ? `\`npm run bench -- --quick\`; target under 180 s: ${totalS < 180 ? 'reached' : 'MISSED'}` : 'not a quick run'}).`,
  );
  const results = path.join(ROOT, 'bench', 'results.md');
  await writeFile(results, `${md.join('\n')}\n`);
  // Laid out as the repository's formatter wants it (the bundles section comes from another script).
  try {
    execFileSync(path.join(ROOT, 'node_modules', '.bin', 'biome'), ['format', '--write', results], {
      cwd: ROOT,
      stdio: 'ignore',
    });
  } catch {
    // left as written
  }
  progress(`wrote bench/results.md and bench/latency.svg in ${num(totalS, 0)} s`);
}

async function run(stack: BenchStack, client: Client, receiver: { url: string; received: unknown[] }, out: (s?: string) => void) {
  const { createTenant } = await import('../shared/services/tenants.js');
  const { createCampaign } = await import('../shared/services/campaigns.js');
  const { putShopper } = await import('../shared/services/shoppers.js');
  const { setWebhook } = await import('../shared/services/webhook.js');
  const { findFences, seedGeofences } = await import('../shared/services/geo.js');
  const { adminPrincipal } = await import('../test/support/principal.js');
  const { routes } = await import('../shared/http/routes.js');
  const hasTokens = (routes as readonly { method: string; path: string }[]).some(
    (r) => r.method === 'POST' && r.path === '/v1/shopper-token-keys',
  );
  const tenantIds: string[] = [];

  const newTenant = (name: string): Promise<BenchTenant> =>
    retry(`tenant ${name}`, async () => {
      const { tenant, adminKey } = await createTenant(name);
      tenantIds.push(tenant.id);
      const pub = await client.ok<{ key: string }>('POST', '/v1/keys', {
        key: adminKey,
        body: { name: 'app', kind: 'publishable', rateLimit: { rps: 10_000, burst: 20_000 } },
      });
      const t: BenchTenant = { id: tenant.id, p: adminPrincipal(tenant.id), adminKey, pubKey: pub.body.key };
      if (hasTokens) {
        const k = await client.ok<{ kid: string; secret: string }>('POST', '/v1/shopper-token-keys', { key: adminKey });
        t.tokenKey = { kid: k.body.kid, secret: k.body.secret };
      }
      return t;
    });
  const shopperHeaders = (t: BenchTenant, shopperId: string): Record<string, string> =>
    t.tokenKey ? { 'shopper-token': shopperToken(t.tokenKey.kid, t.tokenKey.secret, shopperId) } : {};
  // An upsert: retried when a busy DynamoDB Local times out.
  const putShoppers = (t: BenchTenant, ids: string[]) =>
    pool(ids, 16, (id, i) =>
      retry('shopper profile', () =>
        putShopper(t.p, id, { firstName: `Shopper${i}`, consent: { location: true, marketing: true } } as never),
      ),
    );
  const offer = (t: BenchTenant, shopperId: string, at: { lat: number; lng: number }) =>
    client.call<{ offers?: unknown[] }>('POST', '/v1/offers', {
      key: t.pubKey,
      body: { shopperId, location: { lat: at.lat, lng: at.lng, accuracyM: 20 } },
      headers: shopperHeaders(t, shopperId),
    });
  const campaignInput = (name: string, geofenceIds: string[], frequencyCap = true) =>
    ({
      name,
      kind: 'location',
      status: 'active',
      geofenceIds,
      offer: { title: 'Hi {{firstName}}', body: 'Ten percent off today at {{storeName}}.', validForMinutes: 60 },
      budget: { maxOffers: 1_000_000 },
      ...(frequencyCap ? { frequencyCap: { maxOffers: 5, perHours: 24 } } : {}),
      holdoutPercent: 0,
      priority: 0,
      minConfidence: 'low',
    }) as Parameters<typeof createCampaign>[1];
  /** One campaign per 10 fences (the fences of a chain), through the campaign service. */
  const campaignsFor = (t: BenchTenant, ids: string[], tag: string) => {
    const groups: string[][] = [];
    for (let i = 0; i < ids.length; i += 10) groups.push(ids.slice(i, i + 10));
    return pool(groups, 8, (g, i) => retry('campaign', () => createCampaign(t.p, campaignInput(`${tag}-${i}`, g))));
  };
  const seedNote = `seedGeofences (shared/services/geo.ts: each fence validated and planned as a POST would be, then fences and index rows batch-written), ${SEED_CHUNK} fences per call, ${SEED_CONCURRENCY} calls at a time`;
  const seed = async (t: BenchTenant, gens: GeneratedFence[], offset: number): Promise<string[]> => {
    const inputs: GeofenceInput[] = gens.map((g, i) => ({ name: `f${offset + i}`, geometry: g.geometry }));
    const chunks: GeofenceInput[][] = [];
    for (let i = 0; i < inputs.length; i += SEED_CHUNK) chunks.push(inputs.slice(i, i + SEED_CHUNK));
    return (await pool(chunks, SEED_CONCURRENCY, (c) => retry('seedGeofences', () => seedGeofences(t.p, c)))).flat();
  };

  // ---------------------------------------------------------------- header
  const commit = gitCommit();
  const cpus = os.cpus();
  out('# geo-offers benchmark');
  out('');
  out(`- date: ${new Date().toISOString()}`);
  out(
    `- machine: ${cpus.length} × ${cpus[0]?.model ?? 'unknown CPU'}, ${num(os.totalmem() / 2 ** 30, 1)} GiB RAM, ${os.platform()} ${os.release()}`,
  );
  out(`- node: ${process.version}`);
  out(
    `- load average at start (1, 5, 15 min): ${os
      .loadavg()
      .map((x) => x.toFixed(2))
      .join(', ')}`,
  );
  out(`- commit: ${commit}`);
  out(
    `- run: ${SIZES_ARG ? `partial (${SIZES_ARG})` : QUICK ? '--quick' : 'full'}, N = ${SIZES.map(int).join(', ')}${QUICK ? ' (quick: fewer requests and samples)' : ''}`,
  );
  out(
    '- stack: in this process — DynamoDB Local (in memory), the SQS server, the function handlers behind the local gateway, the delivery poller and the stream poller',
  );
  out('- authorization: inside each function (API keys cached per container), no authorizer function');
  out(
    `- shopper tokens: ${hasTokens ? 'signed per shopper with a tenant token key (HS256)' : 'not in this API version: none sent'}`,
  );
  out(
    '- every DynamoDB call is metered (SDK middleware, `ReturnConsumedCapacity: TOTAL`): calls, sequential rounds, capacity; figures are per HTTP request unless said otherwise',
  );
  out('');

  // ---------------------------------------------------------------- write cost by size
  progress('geofence write cost by size');
  mark('geofence write cost by size');
  {
    const t = await newTenant('bench-writes');
    const at = { lat: 48.8566, lng: 2.3522 };
    const shapes: [string, Geometry][] = [
      ['circle 10 m', { type: 'Circle', coordinates: [at.lng, at.lat], radiusM: 10 }],
      ['circle 100 m', { type: 'Circle', coordinates: [at.lng, at.lat], radiusM: 100 }],
      ['circle 1 km', { type: 'Circle', coordinates: [at.lng, at.lat], radiusM: 1_000 }],
      ['circle 10 km', { type: 'Circle', coordinates: [at.lng, at.lat], radiusM: 10_000 }],
      ['circle 50 km', { type: 'Circle', coordinates: [at.lng, at.lat], radiusM: 50_000 }],
      ['polygon 2,000 vertices (2 km)', regularPolygon(at, 2_000, HEAVY_VERTICES)],
    ];
    const rows: (string | number)[][] = [];
    const failures: string[] = [];
    for (const [name, geometry] of shapes) {
      const runs: { ms: number; items: number; batched: number; cells: number; wru: number; bytes: number }[] = [];
      for (let i = 0; i < 3; i++) {
        const body = { name: `${name} #${i}`, geometry };
        const r = await client.call<{ index?: { cells?: string[] } }>('POST', '/v1/geofences', { key: t.adminKey, body });
        if (r.status !== 201) failures.push(`${name}: ${r.status} after ${num(r.ms, 0)} ms`);
        const log = r.invocations.flatMap((x) => x.ddb.log);
        runs.push({
          ms: r.ms,
          items: itemsWritten(log),
          batched: log.filter((c) => c.command === 'BatchWriteItem').reduce((a, c) => a + c.items, 0),
          cells: r.body.index?.cells?.length ?? Number.NaN,
          wru: billedUnits(log).wru,
          bytes: JSON.stringify(body).length,
        });
      }
      const items = pct(
        runs.map((x) => x.items),
        50,
      );
      const ms = pct(
        runs.map((x) => x.ms),
        50,
      );
      rows.push([
        name,
        int(runs[0].bytes),
        num(ms, 1),
        int(runs.find((x) => Number.isFinite(x.cells))?.cells ?? Number.NaN),
        int(items),
        int(
          pct(
            runs.map((x) => x.batched),
            50,
          ),
        ),
        num(mean(runs.map((x) => x.wru)), 1),
      ]);
    }
    out('## Geofence write cost by size');
    out('');
    out(
      "POST /v1/geofences with a secret key, 3 creates per shape (median ms). Index cells: the fence's planned H3 cells (its `index`); " +
        'items written: every item the request wrote, from the meter (index rows, the fence, a rate-limit sync); ' +
        'index rows: the items of its BatchWriteItem calls, where the index rows go.',
    );
    out('');
    out(
      table(
        ['fence', 'request bytes', 'ms per create (p50)', 'index cells', 'items written', 'index rows', 'WRU per create'],
        rows,
      ),
    );
    out('');
    if (failures.length) {
      out(`Creates that did not answer 201: ${failures.join('; ')}.`);
      out('');
    }
  }

  // ---------------------------------------------------------------- datasets
  const results: DatasetResult[] = [];
  const A = await newTenant('bench-constant');
  const B = await newTenant('bench-city');
  const grown: Record<string, { fences: GeneratedFence[]; ids: string[]; square?: Square }> = {
    constant: { fences: [], ids: [] },
    city: { fences: [], ids: [] },
  };
  const shoppersA = Array.from({ length: REQUESTS + WARMUP }, (_, i) => `a-${i}`);
  const shoppersB = Array.from({ length: REQUESTS + WARMUP }, (_, i) => `b-${i}`);
  await putShoppers(A, shoppersA);
  await putShoppers(B, shoppersB);
  const randA = rng(1);
  const randB = rng(2);

  /** Grow a tenant to n fences spread over `sq` (the new ones outside its previous square), with their campaigns. */
  const grow = async (t: BenchTenant, key: 'constant' | 'city', n: number, sq: Square, rand: () => number) => {
    const g = grown[key];
    const before = g.fences.length;
    const prev = key === 'constant' && g.square && g.square.sideKm < sq.sideKm ? g.square : undefined;
    const gens = Array.from({ length: n - before }, () => fence(sq, rand, prev));
    const t0 = performance.now();
    const ids = await seed(t, gens, before);
    const seedMs = performance.now() - t0;
    await campaignsFor(t, ids, `${key}-${n}`);
    g.fences.push(...gens);
    g.ids.push(...ids);
    g.square = sq;
    return { seedS: seedMs / 1000, seeded: gens.length, campaignsS: (performance.now() - t0 - seedMs) / 1000 };
  };

  const measure = async (
    t: BenchTenant,
    key: 'constant' | 'city',
    n: number,
    sq: Square,
    shoppers: string[],
    rand: () => number,
    seeded: { seedS: number; seeded: number },
  ): Promise<DatasetResult> => {
    mark(`${key} density N=${int(n)}: measuring (ours and naive)`);
    progress(`${key} N=${n}: waiting for the stream consumer to catch up`);
    await stack.quiet(1_500, 120_000);
    stack.takeBackground();
    const pts = requestPoints(REQUESTS + WARMUP, sq, grown[key].fences, rand);
    progress(`${key} N=${n}: ${REQUESTS} offer requests at concurrency ${CONCURRENCY}`);
    await pool(pts.slice(0, WARMUP), CONCURRENCY, (pt, i) => offer(t, shoppers[i], pt));
    const t0 = performance.now();
    const replies = await pool(pts.slice(WARMUP), CONCURRENCY, (pt, i) => offer(t, shoppers[WARMUP + i], pt));
    const wallS = (performance.now() - t0) / 1000;
    const samples = replies.map(toSample);
    const ok = samples.filter((s) => s.status === 200);
    const result: DatasetResult = {
      density: key,
      n,
      areaKm2: sq.sideKm ** 2,
      seedS: seeded.seedS,
      seeded: seeded.seeded,
      rps: replies.length / wallS,
      errors: samples.length - ok.length,
      all: classStats(ok),
      noOffer: classStats(ok.filter((s) => s.offers === 0)),
      offer: classStats(ok.filter((s) => s.offers > 0)),
      samples: ok,
    };
    const k = NAIVE_SAMPLES[n] ?? 5;
    progress(`${key} N=${n}: naive matcher on up to ${k} of the same points`);
    const naive: number[] = [];
    let fencesRead = 0;
    const naiveT0 = performance.now();
    for (const pt of pts.slice(WARMUP, WARMUP + k)) {
      if (naive.length >= 3 && performance.now() - naiveT0 > NAIVE_BUDGET_MS) break;
      const t1 = performance.now();
      fencesRead = (await naiveMatch(t.id, pt.lat, pt.lng)).read;
      naive.push(performance.now() - t1);
    }
    result.naive = { p50: pct(naive, 50), samples: naive.length, fencesRead };
    const lookups: number[] = [];
    for (const pt of pts.slice(WARMUP, WARMUP + LOOKUP_SAMPLES)) {
      const t1 = performance.now();
      await findFences(t.id, pt.lat, pt.lng, 20);
      lookups.push(performance.now() - t1);
    }
    result.lookup = { p50: pct(lookups, 50), samples: lookups.length };
    return result;
  };

  for (const n of SIZES) {
    const sqA = constantSquare(n);
    progress(`constant density: seeding to N=${n} (${num(sqA.sideKm, 1)} km square)`);
    mark(`constant density N=${int(n)}: seeding and campaigns`);
    const sa = await grow(A, 'constant', n, sqA, randA);
    progress(`constant N=${n}: ${int(sa.seeded)} fences in ${num(sa.seedS, 1)} s, campaigns in ${num(sa.campaignsS, 1)} s`);
    const ra = await measure(A, 'constant', n, sqA, shoppersA, randA, sa);
    results.push(ra);
    if (Math.abs(sqA.sideKm - METRO_SIDE_KM) < 1e-9) {
      // 10,000 fences at 4 per km² fill exactly the 50 × 50 km metro: the same dataset as city density at 10,000.
      results.push({ ...ra, density: 'city', sameAs: `constant density, N=${int(n)}` });
      continue;
    }
    progress(`city density: seeding to N=${n}`);
    mark(`city density N=${int(n)}: seeding and campaigns`);
    const sb = await grow(B, 'city', n, metroSquare(), randB);
    progress(`city N=${n}: ${int(sb.seeded)} fences in ${num(sb.seedS, 1)} s, campaigns in ${num(sb.campaignsS, 1)} s`);
    results.push(await measure(B, 'city', n, metroSquare(), shoppersB, randB, sb));
  }

  out('## Offer requests by dataset');
  out('');
  out(
    `POST /v1/offers over HTTP with a publishable key, ${REQUESTS} requests per dataset after ${WARMUP} warm-up requests, concurrency ${CONCURRENCY}, ` +
      'each from its own consenting shopper (stored profile), accuracy 20 m; 80 % of points uniform in the area, 20 % inside a fence. ' +
      `Fences: circles of 20–500 m and 30 % star polygons of 6–40 vertices; one active campaign (budget, frequency cap) per 10 fences. ` +
      `Constant density: ${DENSITY_PER_KM2} fences/km² (the square grows with N); city: one ${METRO_SIDE_KM} × ${METRO_SIDE_KM} km metro. ` +
      `Seeding: ${seedNote}.`,
  );
  out('');
  out(
    table(
      [
        'density',
        'N',
        'area km²',
        'seeded (s)',
        'req/s',
        'p50 ms',
        'p95 ms',
        'p99 ms',
        'naive p50 ms',
        'naive / offer p50',
        'index lookup p50 ms',
        'naive / lookup',
        'errors',
      ],
      results.map((r) => [
        r.density,
        int(r.n),
        int(r.areaKm2),
        r.sameAs ? `same as ${r.sameAs}` : `${int(r.seeded)} in ${num(r.seedS, 1)}`,
        num(r.rps, 1),
        num(r.all.p50, 1),
        num(r.all.p95, 1),
        num(r.all.p99, 1),
        r.naive ? `${num(r.naive.p50, 0)} (${r.naive.samples} pts, ${int(r.naive.fencesRead)} fences read)` : '–',
        r.naive ? `${num(r.naive.p50 / r.all.p50, 1)}×` : '–',
        r.lookup ? `${num(r.lookup.p50, 1)} (${r.lookup.samples} pts)` : '–',
        r.naive && r.lookup ? `${num(r.naive.p50 / r.lookup.p50, 1)}×` : '–',
        r.errors,
      ]),
    ),
  );
  out('');
  out(
    'p50/p95/p99 and req/s: the whole HTTP offer request. Naive: read every fence of the tenant and test each, in this process. ' +
      "Index lookup: the product's spatial lookup alone (`findFences`, in this process, sequential) on the same points: the like-for-like of the naive matcher.",
  );
  out('');
  out('Per request, split by outcome (DynamoDB figures from the meter; RRU/WRU billed as AWS would, transactional items ×2):');
  out('');
  const classRow = (r: DatasetResult, label: string, c: ClassStats) => [
    r.density,
    int(r.n),
    label,
    c.count,
    num(c.p50, 1),
    num(c.p95, 1),
    num(c.p99, 1),
    `${num(c.roundsMean, 2)} / ${int(c.roundsP99)} / ${int(c.roundsMax)}`,
    num(c.callsMean, 2),
    num(c.rru, 2),
    num(c.wru, 2),
    num(c.lambdaMs, 1),
  ];
  out(
    table(
      [
        'density',
        'N',
        'outcome',
        'requests',
        'p50 ms',
        'p95 ms',
        'p99 ms',
        'rounds mean / p99 / max',
        'calls',
        'RRU',
        'WRU',
        'function ms (mean)',
      ],
      results.flatMap((r) => [classRow(r, 'no offer', r.noOffer), classRow(r, 'offer', r.offer)]),
    ),
  );
  out('');
  const largest = results.filter((r) => r.density === 'constant').at(-1)!;
  out(
    `DynamoDB calls per round at N=${int(largest.n)} (constant density), the most frequent patterns (a call sent while another of the request was in flight joins its round):`,
  );
  out('');
  for (const [label, list] of [
    ['no offer', largest.samples.filter((s) => s.offers === 0)],
    ['offer', largest.samples.filter((s) => s.offers > 0)],
  ] as const)
    for (const [pattern, count] of roundPatterns(list).slice(0, 3))
      out(`- ${label}, ${num((100 * count) / list.length, 0)} % of ${list.length}: ${pattern}`);
  out('');

  // ---------------------------------------------------------------- chart
  const series = (density: 'constant' | 'city', which: 'ours' | 'lookup' | 'naive') =>
    results
      .filter((r) => r.density === density)
      .map((r) => ({
        n: r.n,
        ms: which === 'ours' ? r.all.p50 : which === 'lookup' ? (r.lookup?.p50 ?? Number.NaN) : (r.naive?.p50 ?? Number.NaN),
      }));
  const svg = latencySvg(
    [
      { name: 'ours, constant density', color: '#1f77b4', points: series('constant', 'ours') },
      { name: 'ours, city density', color: '#2ca02c', points: series('city', 'ours') },
      { name: 'index lookup, constant', color: '#9467bd', dashed: true, points: series('constant', 'lookup') },
      { name: 'index lookup, city', color: '#8c564b', dashed: true, points: series('city', 'lookup') },
      { name: 'naive, constant density', color: '#d62728', dashed: true, points: series('constant', 'naive') },
      { name: 'naive, city density', color: '#ff7f0e', dashed: true, points: series('city', 'naive') },
    ],
    `p50: POST /v1/offers (ours), the index lookup alone, the naive matcher (${QUICK ? 'quick' : 'full'} run, ${new Date().toISOString().slice(0, 10)})`,
  );
  await writeFile(path.join(ROOT, 'bench', 'latency.svg'), svg);
  out('![p50 latency against N, ours and the naive matcher, both densities](latency.svg)');
  out('');

  // ---------------------------------------------------------------- heavy geometry
  progress('heavy geometry');
  mark('heavy geometry');
  let heavy: { heavyP50: number; lightP50: number; loadedP50: number; heavyRounds: number; heavyCalls: number };
  {
    const H = await newTenant('bench-heavy');
    const L = await newTenant('bench-light');
    const at = { lat: 45.4642, lng: 9.19 };
    const rand = rng(3);
    const heavyFences = Array.from({ length: HEAVY_FENCES }, () => {
      const c = { lat: at.lat + (rand() - 0.5) * 0.005, lng: at.lng + (rand() - 0.5) * 0.007 };
      // A detailed outline (a mall, a campus): 2,000 vertices within 5 % of a circle of 1.5–3 km.
      return starPolygon(c, 1_500 + rand() * 1_500, HEAVY_VERTICES, rand, 0.95);
    });
    // One heavy fence per call (each is ~46 KB and its index rows carry parts of it), two calls at a time.
    await stack.quiet(1_000, 60_000);
    const hIds = (
      await pool(heavyFences, 2, (g, i) =>
        retry('seedGeofences (heavy)', () => seedGeofences(H.p, [{ name: `heavy-${i}`, geometry: g }])),
      )
    ).flat();
    await campaignsFor(H, hIds, 'heavy');
    const lIds = await seed(L, [{ geometry: { type: 'Circle', coordinates: [at.lng, at.lat], radiusM: 300 }, inside: at }], 0);
    await campaignsFor(L, lIds, 'light');
    const hShoppers = Array.from({ length: HEAVY_SAMPLES + 5 }, (_, i) => `h-${i}`);
    const lShoppers = Array.from({ length: 2 * HEAVY_SAMPLES + 10 }, (_, i) => `l-${i}`);
    await putShoppers(H, hShoppers);
    await putShoppers(L, lShoppers);
    const lookupKey = await retry('secret key', () =>
      client.ok<{ key: string }>('POST', '/v1/keys', {
        key: H.adminKey,
        body: { name: 'lookups', kind: 'secret', rateLimit: { rps: 10_000, burst: 20_000 } },
      }),
    );
    await stack.quiet(1_000, 60_000);
    const sequential = async (t: BenchTenant, ids: string[]) => {
      const xs: Reply<{ offers?: unknown[] }>[] = [];
      for (const id of ids) xs.push(await offer(t, id, at));
      return xs;
    };
    await sequential(H, hShoppers.slice(0, 5));
    await sequential(L, lShoppers.slice(0, 5));
    const h = await sequential(H, hShoppers.slice(5));
    const l = await sequential(L, lShoppers.slice(5, 5 + HEAVY_SAMPLES));
    let loading = true;
    const lookups: { ms: number; bytes: number; status: number }[] = [];
    const load = Promise.all(
      Array.from({ length: HEAVY_IN_FLIGHT }, async () => {
        while (loading) {
          const r = await client.call('GET', `/v1/geofences/lookup?lat=${at.lat}&lng=${at.lng}`, { key: lookupKey.body.key });
          lookups.push({ ms: r.ms, bytes: JSON.stringify(r.body ?? '').length, status: r.status });
        }
      }),
    );
    await sleep(500);
    // At least 5 requests, then as many as fit in 20 s.
    const loaded: Reply<{ offers?: unknown[] }>[] = [];
    const loadedT0 = performance.now();
    for (const id of lShoppers.slice(5 + HEAVY_SAMPLES)) {
      if (loaded.length >= 5 && performance.now() - loadedT0 > 20_000) break;
      loaded.push(await offer(L, id, at));
    }
    loading = false;
    await load;
    const okH = h.map(toSample).filter((s) => s.status === 200);
    const lookupMs = lookups.map((x) => x.ms);
    heavy = {
      heavyP50: pct(
        okH.map((s) => s.ms),
        50,
      ),
      lightP50: pct(
        l.map((s) => s.ms),
        50,
      ),
      loadedP50: pct(
        loaded.map((s) => s.ms),
        50,
      ),
      heavyRounds: mean(okH.map(functionRounds)),
      heavyCalls: mean(okH.map((s) => s.invocations.reduce((a, i) => a + i.ddb.calls, 0))),
    };
    out('## Heavy geometry');
    out('');
    out(
      `${HEAVY_FENCES} overlapping polygons of ${int(HEAVY_VERTICES)} vertices (detailed outlines of 1.5–3 km) on one tenant, all containing the point, one campaign per 10 fences; ` +
        `another tenant has one 300 m circle there. Sequential offer requests (${HEAVY_SAMPLES} each); then the other tenant again while ` +
        `${HEAVY_IN_FLIGHT} GET /v1/geofences/lookup on the heavy tenant are kept in flight (${loaded.length} requests; ${lookups.length} lookups made meanwhile, ` +
        `p50 ${num(pct(lookupMs, 50), 0)} ms, ${num(mean(lookups.map((x) => x.bytes)) / 1024, 0)} KB per response, ` +
        `answers ${statusCounts(lookups.map((x) => x.status))}). Locally every function shares one process and two cores with DynamoDB Local, ` +
        'so the last row shows how much work the heavy lookups are; on AWS each concurrent request has its own Lambda container.',
    );
    out('');
    out(
      table(
        ['case', 'offer p50 ms', 'ratio'],
        [
          ['one 300 m circle (other tenant)', num(heavy.lightP50, 1), '1.0×'],
          [
            `${HEAVY_FENCES} × ${int(HEAVY_VERTICES)}-vertex fences (${num(heavy.heavyCalls, 1)} DynamoDB calls, ${num(heavy.heavyRounds, 1)} rounds)`,
            num(heavy.heavyP50, 1),
            `${num(heavy.heavyP50 / heavy.lightP50, 2)}×`,
          ],
          [
            `other tenant, ${HEAVY_IN_FLIGHT} heavy lookups in flight`,
            num(heavy.loadedP50, 1),
            `${num(heavy.loadedP50 / heavy.lightP50, 2)}×`,
          ],
        ],
      ),
    );
    out('');
  }

  // ---------------------------------------------------------------- hot items
  progress(`hot items: a burst of ${BURST} offers on one campaign`);
  mark('hot items (burst, background drain)');
  let hot: { share: number; key: string; total: number; offers: number; p50: number; rps: number };
  let backgroundSample: BackgroundSample | undefined;
  {
    await stack.quiet(1_500, 60_000);
    const X = await newTenant('bench-hot');
    const at = { lat: 52.52, lng: 13.405 };
    const [fenceId] = await seed(
      X,
      [{ geometry: { type: 'Circle', coordinates: [at.lng, at.lat], radiusM: 300 }, inside: at }],
      0,
    );
    await retry('campaign', () => createCampaign(X.p, campaignInput('hot', [fenceId])));
    await retry('webhook', () => setWebhook(X.p, receiver.url));
    const shoppers = Array.from({ length: BURST }, (_, i) => `x-${i}`);
    await putShoppers(X, shoppers);
    await stack.quiet(1_500, 120_000);
    stack.takeBackground();
    const deliveredBefore = receiver.received.length;
    const sqsBefore = stack.sqsCounts();
    const w = stack.ddb.window();
    const t0 = performance.now();
    const replies = await pool(shoppers, BURST_CONCURRENCY, (s) => offer(X, s, at));
    const burstS = (performance.now() - t0) / 1000;
    await sleep(AFTER_BURST_MS);
    const counts = w.stop();
    const samples = replies.map(toSample);
    const offers = samples.reduce((a, s) => a + s.offers, 0);
    // Background cost per offer: everything the stream and delivery functions did until the offers were delivered.
    // Until every offer reached the webhook, or none arrived for 5 s.
    for (let last = -1, since = performance.now(); receiver.received.length - deliveredBefore < offers; await sleep(250)) {
      if (receiver.received.length !== last) [last, since] = [receiver.received.length, performance.now()];
      else if (performance.now() - since > 5_000) break;
    }
    await stack.quiet(2_000, 30_000);
    const sqsAfter = stack.sqsCounts();
    const requestSqs = samples.reduce((a, s) => a + s.invocations.reduce((b, i) => b + i.sqs.calls, 0), 0);
    backgroundSample = {
      invocations: stack
        .takeBackground()
        // A stream batch with no outbox record is never invoked on AWS (the trigger's filter).
        .filter((i) => i.fn !== 'stream' || (i.outboxRecords ?? 0) > 0),
      sqsRequests: Math.max(0, billedSqs(sqsBefore, sqsAfter) - requestSqs),
      offers,
    };
    const top = counts.top(5);
    const anon = (k: string) => hideIds(k, tenantIds);
    hot = {
      share: top[0]?.share ?? 0,
      key: anon(top[0]?.key ?? '–'),
      total: counts.total,
      offers,
      p50: pct(
        samples.map((s) => s.ms),
        50,
      ),
      rps: BURST / burstS,
    };
    const delivered = receiver.received.length - deliveredBefore;
    out('## Hot items');
    out('');
    out(
      `${int(BURST)} offer requests on one campaign (budget and frequency cap) through one publishable key, ${int(BURST)} distinct consenting shoppers, ` +
        `concurrency ${BURST_CONCURRENCY}: ${int(offers)} offers in ${num(burstS, 1)} s (${num(hot.rps, 0)} req/s, p50 ${num(hot.p50, 1)} ms, ` +
        `${samples.filter((s) => s.status !== 200).length} non-200). Writes per item key over the burst and the next ${AFTER_BURST_MS / 1000} s of background work ` +
        `(stream consumer, delivery, rate-limit syncs): ${int(counts.total)} writes to ${int(counts.byKey.size)} items. ` +
        `${int(delivered)} of the offers reached the webhook receiver.`,
    );
    out('');
    out(
      table(
        ['rank', 'item (tenant ids hidden)', 'writes', 'share'],
        top.map((x, i) => [i + 1, `\`${anon(x.key)}\``, int(x.writes), `${num(x.share * 100, 2)} %`]),
      ),
    );
    out('');
  }

  // ---------------------------------------------------------------- dollars
  progress('dollars per million requests');
  const costBase = largest;
  const asMeasured = (s: OfferSample[]): MeasuredRequest[] => s.map((x) => ({ invocations: x.invocations, offers: x.offers }));
  const noOfferCost = requestCost('no offer', asMeasured(costBase.samples.filter((s) => s.offers === 0)), undefined);
  const offerCost = requestCost('offer', asMeasured(costBase.samples.filter((s) => s.offers > 0)), backgroundSample);
  const restNoOffer = requestCost('no offer', asMeasured(costBase.samples.filter((s) => s.offers === 0)), undefined, 'rest');
  const restOffer = requestCost('offer', asMeasured(costBase.samples.filter((s) => s.offers > 0)), backgroundSample, 'rest');
  out('## Dollars per million requests');
  out('');
  out(
    `Prices: ${PRICES.region}, as of ${PRICES.asOf} (bench/prices.ts; ${PRICES.apiGateway.source}, ${PRICES.lambda.source}, ` +
      `${PRICES.dynamodb.source}, ${PRICES.sqs.source}). Requests: the ${costBase.density}-density dataset at N=${int(costBase.n)}. ` +
      'Lambda: measured wall time around each handler (this machine, DynamoDB Local on the same two cores: slower than DynamoDB on AWS), ' +
      'memory as deployed (infra/aws/functions.ts), arm64. Background work per offer (stream consumer, delivery, their SQS calls) measured over the hot-items burst ' +
      `until its offers were delivered (${backgroundSample ? int(backgroundSample.offers) : 0} offers); stream batches that the deployed trigger's filter would drop are not billed.`,
  );
  out('');
  for (const c of [noOfferCost, offerCost]) {
    out(`### ${c.label === 'offer' ? 'A request that makes an offer' : 'A request that matches nothing'}`);
    out('');
    out(table(['component', 'measured per request', 'arithmetic', '$ per million'], costLines(c)));
    out('');
  }
  out(
    `With the REST API instead of the HTTP API: ${usd(restNoOffer.total, 2)} (no offer) and ${usd(restOffer.total, 2)} (offer) per million.`,
  );
  out('');

  // ---------------------------------------------------------------- bundles
  const bundleSection = bundles();
  if (bundleSection) {
    out('## Bundles');
    out('');
    out(bundleSection.trim());
    out('');
  }

  // ---------------------------------------------------------------- targets
  out('## Targets');
  out('');
  const c1 = results.find((r) => r.density === 'constant' && r.n === 1_000);
  const c100 = results.find((r) => r.density === 'constant' && r.n === 100_000);
  const cMax = largest;
  const verdict = (ok: boolean) => (ok ? 'reached' : 'MISSED');
  const lines: string[] = [];
  if (c1 && c100)
    lines.push(
      `Latency at 100,000 within 1.2× of 1,000 (constant density, p50): ${verdict(c100.all.p50 <= 1.2 * c1.all.p50)} — ${num(c100.all.p50, 1)} ms vs ${num(c1.all.p50, 1)} ms (${num(c100.all.p50 / c1.all.p50, 2)}×).`,
    );
  else if (c1)
    lines.push(
      `Latency at 100,000 within 1.2× of 1,000: not measured in this run; at ${int(cMax.n)}: ${num(cMax.all.p50, 1)} ms vs ${num(c1.all.p50, 1)} ms (${num(cMax.all.p50 / c1.all.p50, 2)}×).`,
    );
  const lookupRatio = (r: DatasetResult) =>
    r.lookup ? `; the index lookup alone ${num(r.naive!.p50 / r.lookup.p50, 1)}× (${num(r.lookup.p50, 1)} ms)` : '';
  if (c100?.naive)
    lines.push(
      `Ours >= 20× faster than the naive matcher at 100,000 (whole offer request against the naive match alone): ${verdict(c100.naive.p50 >= 20 * c100.all.p50)} — ${num(c100.naive.p50 / c100.all.p50, 1)}× (naive p50 ${num(c100.naive.p50, 0)} ms, offer p50 ${num(c100.all.p50, 1)} ms)${lookupRatio(c100)}.`,
    );
  else if (cMax.naive)
    lines.push(
      `Ours >= 20× faster than the naive matcher at 100,000: not measured in this run; at ${int(cMax.n)}: ${num(cMax.naive.p50 / cMax.all.p50, 1)}× (whole offer request)${lookupRatio(cMax)}.`,
    );
  const allNo = results.flatMap((r) => (r.sameAs ? [] : r.samples.filter((s) => s.offers === 0)));
  const allOffer = results.flatMap((r) => (r.sameAs ? [] : r.samples.filter((s) => s.offers > 0)));
  const maxNo = max(allNo.map(functionRounds));
  const maxOffer = max(allOffer.map(functionRounds));
  lines.push(
    `At most 1 DynamoDB round for a request that matches nothing: ${verdict(maxNo <= 1)} — max ${int(maxNo)} (p99 ${int(pct(allNo.map(functionRounds), 99))}, mean ${num(mean(allNo.map(functionRounds)), 2)}) over ${int(allNo.length)} requests, authorization included (its key read is cached).`,
  );
  lines.push(
    `At most 3 DynamoDB rounds for a request that makes offers: ${verdict(maxOffer <= 3)} — max ${int(maxOffer)} (p99 ${int(pct(allOffer.map(functionRounds), 99))}, mean ${num(mean(allOffer.map(functionRounds)), 2)}) over ${int(allOffer.length)} requests.`,
  );
  lines.push(
    `<= $2.00 per million requests that match nothing: ${verdict(noOfferCost.total <= 2)} — ${usd(noOfferCost.total, 2)}.`,
  );
  lines.push(`<= $5.00 per million requests that make an offer: ${verdict(offerCost.total <= 5)} — ${usd(offerCost.total, 2)}.`);
  lines.push(
    `Most-written item <= 10 % of writes during the hot-items burst: ${verdict(hot.share <= TARGET_SHARE)} — ${num(hot.share * 100, 2)} % (\`${hot.key}\`, of ${int(hot.total)} writes).`,
  );
  lines.push(
    `40 heavy fences within 2× of one circle (offer p50): ${verdict(heavy.heavyP50 <= 2 * heavy.lightP50)} — ${num(heavy.heavyP50 / heavy.lightP50, 2)}×.`,
  );
  lines.push(
    `Another tenant not slowed by heavy lookups (p50 within 2× of unloaded): ${verdict(heavy.loadedP50 <= 2 * heavy.lightP50)} — ${num(heavy.loadedP50 / heavy.lightP50, 2)}×.`,
  );
  if (!bundleSection) lines.push('Bundle size and cold import: bench/bundles.ts is not there; not measured.');
  else lines.push(...bundleTargets(bundleSection));
  for (const l of lines) out(`- ${l}`);
}

/** Setup calls that failed (a timeout of a busy DynamoDB Local) and were made again. */
const retried: string[] = [];

/**
 * A setup call (seeding, campaigns, shoppers), made again when it fails: a
 * busy machine can push DynamoDB Local past the SDK's request timeout. A
 * retried seeding call may leave the index rows of its first try behind
 * (they name fences that do not exist); retries are listed in the report.
 */
async function retry<T>(label: string, fn: () => Promise<T>, attempts = 5): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await fn();
    } catch (err) {
      if (i >= attempts) throw new Error(`${label}: failed ${attempts} times`, { cause: err });
      retried.push(`${label}: ${(err as Error).name}`);
      progress(`${label} failed (${(err as Error).name}: ${(err as Error).message.slice(0, 120)}); again in ${2 ** (i - 1)} s`);
      await sleep(1000 * 2 ** (i - 1));
    }
  }
}

/**
 * The target rows of the bundles section (a table row whose last cell reads
 * "<= … (met)" or "(not met)"), as target lines.
 */
function bundleTargets(section: string): string[] {
  const out: string[] = [];
  for (const line of section.split('\n')) {
    const cells = line
      .split('|')
      .map((c) => c.trim())
      .filter(Boolean);
    const target = cells.at(-1) ?? '';
    const m = /^(<=.*?)\s*\((met|not met)\)$/.exec(target);
    if (!m || cells.length < 3) continue;
    out.push(`Offers function ${cells[0]} ${m[1]}: ${m[2] === 'met' ? 'reached' : 'MISSED'} — ${cells[1]} (bench/bundles.ts).`);
  }
  return out.length ? out : ['Bundle size and cold import: see the Bundles section (no target rows found in its output).'];
}

/** "200 × 12, 503 × 3": how often each status was answered. */
function statusCounts(statuses: number[]): string {
  const n = new Map<number, number>();
  for (const x of statuses) n.set(x, (n.get(x) ?? 0) + 1);
  return (
    [...n.entries()]
      .sort((a, b) => a[0] - b[0])
      .map(([k, v]) => `${k} × ${v}`)
      .join(', ') || 'none'
  );
}

/** Items a request wrote, from its metered calls (a refused write wrote nothing). */
function itemsWritten(log: readonly { command: string; items: number; refused: boolean }[]): number {
  const writes = new Set(['PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem', 'TransactWriteItems']);
  return log.filter((c) => writes.has(c.command) && !c.refused).reduce((a, c) => a + c.items, 0);
}

/** Requests grouped by the commands of each of their rounds ("round 1: GetItem + 3 × Query; round 2: ..."), most frequent first. */
function roundPatterns(samples: OfferSample[]): [string, number][] {
  const counts = new Map<string, number>();
  for (const s of samples) {
    const rounds = new Map<number, string[]>();
    for (const inv of s.invocations)
      for (const c of inv.ddb.log) rounds.set(c.round, [...(rounds.get(c.round) ?? []), c.command]);
    const pattern =
      [...rounds.entries()]
        .sort((a, b) => a[0] - b[0])
        .map(([r, cmds]) => {
          const n = new Map<string, number>();
          for (const c of cmds) n.set(c, (n.get(c) ?? 0) + 1);
          return `round ${r}: ${[...n.entries()].map(([c, k]) => (k > 1 ? `${k} × ${c}` : c)).join(' + ')}`;
        })
        .join('; ') || 'no DynamoDB call';
    counts.set(pattern, (counts.get(pattern) ?? 0) + 1);
  }
  return [...counts.entries()].sort((a, b) => b[1] - a[1]);
}

function toSample(r: Reply<{ offers?: unknown[] }>): OfferSample {
  return { ms: r.ms, status: r.status, offers: r.body?.offers?.length ?? 0, invocations: r.invocations };
}

/** Sequential DynamoDB rounds of the request's function invocation. */
const functionRounds = (s: OfferSample) => s.invocations.reduce((a, i) => a + i.ddb.rounds, 0);

function classStats(samples: OfferSample[]): ClassStats {
  const ms = samples.map((s) => s.ms);
  const rounds = samples.map(functionRounds);
  const units = samples.map((s) => billedUnits(s.invocations.flatMap((i) => i.ddb.log)));
  return {
    count: samples.length,
    p50: pct(ms, 50),
    p95: pct(ms, 95),
    p99: pct(ms, 99),
    roundsMean: mean(rounds),
    roundsMax: max(rounds),
    roundsP99: pct(rounds, 99),
    callsMean: mean(samples.map((s) => s.invocations.reduce((a, i) => a + i.ddb.calls, 0))),
    rru: mean(units.map((u) => u.rru)),
    wru: mean(units.map((u) => u.wru)),
    lambdaMs: mean(samples.map((s) => s.invocations.reduce((a, i) => a + i.ms, 0))),
  };
}

function costLines(c: CostReport): string[][] {
  return [
    ...c.lines.map((l) => [l.component, l.measured, l.arithmetic, usd(l.perMillion, 4)]),
    ['**total**', '', c.lines.map((l) => usd(l.perMillion, 4)).join(' + '), `**${usd(c.total, 2)}**`],
  ];
}

/** Replace tenant ids by a short hash, so that published results name no tenant. */
function hideIds(key: string, tenantIds: string[]): string {
  let out = key;
  for (const id of tenantIds) out = out.split(id).join(`<tenant:${createHash('sha256').update(id).digest('hex').slice(0, 6)}>`);
  return out;
}

function gitCommit(): string {
  try {
    const sha = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain'], { cwd: ROOT, encoding: 'utf8' }).trim();
    return dirty ? `${sha} (with uncommitted changes)` : sha;
  } catch {
    return 'unknown';
  }
}

/**
 * The bundle section (bench/bundles.ts: bundle sizes and cold import), if
 * that file is there: what it prints, run in its own process (it starts
 * fresh node processes of its own; nothing of this one leaks into them).
 */
function bundles(): string | undefined {
  const file = path.join(ROOT, 'bench', 'bundles.ts');
  if (!existsSync(file)) return undefined;
  progress('bundle sizes and cold import (bench/bundles.ts)');
  mark('bundles (bench/bundles.ts)');
  try {
    return execFileSync(process.execPath, ['--import', 'tsx', file], {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 180_000,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  } catch (err) {
    return `bench/bundles.ts failed: ${(err as Error).message.split('\n')[0]}`;
  }
}

main().catch((err) => {
  console.error(`benchmark failed after ${((performance.now() - T0) / 1000).toFixed(0)} s, in: ${marks.at(-1)?.name ?? 'start'}`);
  console.error(err);
  process.exit(1);
});
