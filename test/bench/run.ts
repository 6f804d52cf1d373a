/**
 * `npm run bench`: measured, not asserted. Starts its own local stack
 * (DynamoDB Local in memory + SQS server), seeds a small and a large tenant,
 * and reports latencies and ratios measured in this one run.
 */
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
process.env.LOG_LEVEL = 'silent';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { startLocalStack } from '../support/local-stack.js';

const args = new Set(process.argv.slice(2));
const LARGE = args.has('--quick') ? 500 : 2000;
const ROUNDS = args.has('--quick') ? 50 : 200;

function pct(xs: number[], p: number) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
}
async function time(n: number, fn: (i: number) => Promise<unknown> | unknown) {
  const xs: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await fn(i);
    xs.push(performance.now() - t);
  }
  return { p50: pct(xs, 50), p95: pct(xs, 95) };
}
const fmt = (x: number) => x.toFixed(2).padStart(8);

async function main() {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'geo-offers-bench-'));
  const stack = await startLocalStack(dataDir, { DYNAMODB_IN_MEMORY: '1', LOG_LEVEL: 'silent' });
  Object.assign(process.env, {
    TABLE_NAME: stack.info.tableName,
    OFFERS_QUEUE_URL: stack.info.offersQueueUrl,
    DLQ_URL: stack.info.dlqUrl,
    DYNAMODB_ENDPOINT: stack.info.dynamoEndpoint,
    SQS_ENDPOINT: stack.info.sqsEndpoint,
    LOCAL_MODE: '1',
  });
  try {
    const { planIndex } = await import('../../shared/domain/geo/index.js');
    const { createGeofence, findFences } = await import('../../shared/services/geo.js');
    const { createTenant } = await import('../../shared/services/tenants.js');
    const { adminPrincipal, countDynamoRequests, pool } = await import('../support/principal.js');
    const { listGeofencesPage } = await import('../../shared/store/geofences.js');
    const { containsPoint } = await import('../../shared/domain/geo/index.js');

    console.log('# geo-offers benchmarks\n');
    console.log('## index planning (pure, per fence)');
    const ring = Array.from({ length: 1999 }, (_, i) => {
      const a = (2 * Math.PI * i) / 1999;
      return [2.17 + Math.cos(a) * 0.02, 41.38 + Math.sin(a) * 0.015] as [number, number];
    });
    ring.push(ring[0]);
    const shapes = {
      'circle 10 m': { type: 'Circle', coordinates: [2.17, 41.38], radiusM: 10 },
      'circle 1 km': { type: 'Circle', coordinates: [2.17, 41.38], radiusM: 1000 },
      'circle 50 km': { type: 'Circle', coordinates: [2.17, 41.38], radiusM: 50000 },
      'polygon 2,000 vertices': { type: 'Polygon', coordinates: [ring] },
    } as const;
    for (const [name, g] of Object.entries(shapes)) {
      const plan = planIndex(g as never);
      const t = await time(20, () => planIndex(g as never));
      console.log(
        `${name.padEnd(24)} res ${plan.resolution}  cells ${String(plan.cells.length).padStart(3)}  p50 ${fmt(t.p50)} ms`,
      );
    }

    const point = { lat: 48.8566, lng: 2.3522 };
    const seed = async (n: number) => {
      const { tenant } = await createTenant(`bench-${n}`);
      const p = adminPrincipal(tenant.id);
      await createGeofence(p, { name: 'here', geometry: { type: 'Circle', coordinates: [point.lng, point.lat], radiusM: 300 } });
      await pool(
        Array.from({ length: n - 1 }, (_, i) => i),
        16,
        async (i) => {
          await createGeofence(p, {
            name: `f${i}`,
            geometry: { type: 'Circle', coordinates: [-9 + (i % 50) * 0.6, 36 + Math.floor(i / 50) * 0.5], radiusM: 400 },
          });
        },
      );
      return tenant.id;
    };
    const t0 = performance.now();
    const small = await seed(10);
    const large = await seed(LARGE);
    console.log(`\nseeded 10 + ${LARGE} geofences in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

    // Naive baseline: read every fence of the tenant and test each (what the index avoids).
    const scan = async (tenantId: string) => {
      let cursor: string | undefined;
      const hits: string[] = [];
      do {
        const page = await listGeofencesPage(tenantId, 100, cursor);
        for (const f of page.items) if (containsPoint(f.geometry, point.lat, point.lng)) hits.push(f.id);
        cursor = page.nextCursor ?? undefined;
      } while (cursor);
      return hits;
    };

    console.log(`\n## point lookup, ${ROUNDS} rounds each (DynamoDB Local, in memory)`);
    const rows: [string, string, { p50: number; p95: number }, number][] = [];
    for (const [label, id] of [
      ['10 fences', small],
      [`${LARGE} fences`, large],
    ] as const) {
      const req = (await countDynamoRequests(() => findFences(id, point.lat, point.lng, 50))).requests;
      rows.push(['H3 index', label, await time(ROUNDS, () => findFences(id, point.lat, point.lng, 50)), req]);
      const scanReq = (await countDynamoRequests(() => scan(id))).requests;
      rows.push(['full scan', label, await time(Math.max(5, ROUNDS / 10), () => scan(id)), scanReq]);
    }
    console.log('method      tenant          p50 ms   p95 ms  DynamoDB requests');
    for (const [m, l, t, r] of rows) console.log(`${m.padEnd(11)} ${l.padEnd(12)} ${fmt(t.p50)} ${fmt(t.p95)}  ${r}`);
    const idx = rows.filter((r) => r[0] === 'H3 index');
    const scn = rows.filter((r) => r[0] === 'full scan');
    console.log(
      `\nratios in this run: index large/small p50 = ${(idx[1][2].p50 / idx[0][2].p50).toFixed(2)}; ` +
        `scan large/small p50 = ${(scn[1][2].p50 / scn[0][2].p50).toFixed(2)}; ` +
        `scan/index at ${LARGE} fences p50 = ${(scn[1][2].p50 / idx[1][2].p50).toFixed(1)}`,
    );

    console.log(`\n## POST /v1/offers over HTTP (local gateway + authorizer), ${ROUNDS} rounds each`);
    const { mintKey } = await import('../../shared/services/keys.js');
    const { putApiKey } = await import('../../shared/store/apikeys.js');
    const { createCampaign } = await import('../../shared/services/campaigns.js');
    const offerTimes: Record<string, { p50: number; p95: number }> = {};
    for (const [label, id] of [
      ['10 fences', small],
      [`${LARGE} fences`, large],
    ] as const) {
      const p = adminPrincipal(id);
      const fences = (await findFences(id, point.lat, point.lng, 0)).map((m) => m.fence.id);
      await createCampaign(p, {
        name: 'bench',
        kind: 'location',
        status: 'active',
        geofenceIds: fences,
        offer: { title: 'Hi {{firstName}}', body: 'x', validForMinutes: 60 },
        holdoutPercent: 0,
        priority: 0,
        minConfidence: 'low',
      } as never);
      const { record, key } = mintKey(id, { name: 'bench', kind: 'publishable', rateLimit: { rps: 10000, burst: 20000 } });
      await putApiKey(record);
      offerTimes[label] = await time(ROUNDS, async (i) => {
        const res = await fetch(`${stack.info.apiUrl}/v1/offers`, {
          method: 'POST',
          headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
          body: JSON.stringify({
            shopperId: `b-${id}-${i}`,
            location: { ...point, accuracyM: 20 },
            profile: { firstName: 'Ana', consent: { location: true, marketing: true } },
          }),
        });
        if (res.status !== 200) throw new Error(`offers ${res.status}`);
        await res.text();
      });
    }
    for (const [l, t] of Object.entries(offerTimes)) console.log(`${l.padEnd(14)} p50 ${fmt(t.p50)} ms  p95 ${fmt(t.p95)} ms`);
    const [a, b] = Object.values(offerTimes);
    console.log(`ratio large/small p50 = ${(b.p50 / a.p50).toFixed(2)}`);
  } finally {
    await stack.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
