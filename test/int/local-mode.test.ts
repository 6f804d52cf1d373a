import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, inject, it } from 'vitest';
import { generateKey } from '../../shared/auth/apikey.js';
import { startLocalStack } from '../support/local-stack.js';
import { api, expectProblem, setupCall } from '../support/api.js';

const dirs: string[] = [];
async function tempDir() {
  const d = await mkdtemp(path.join(os.tmpdir(), 'geo-offers-local-'));
  dirs.push(d);
  return d;
}
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

function processesUsing(dir: string): string[] {
  const out = execFileSync('ps', ['-ww', '-eo', 'pid,args'], { encoding: 'utf8' });
  return out.split('\n').filter((l) => l.includes(dir) && !l.includes('ps -eo'));
}

// Each test runs a stack of its own (own data dir, own table, own SQS server): they run side by side.
describe.concurrent('local mode (npm start)', () => {
  it('keeps tenants and keys across a restart, reuses the operator key, and leaves no child process behind', async ({
    expect,
    onTestFinished,
  }) => {
    const dataDir = await tempDir();
    const first = await startLocalStack(dataDir);
    onTestFinished(() => void first.stop());
    expect(first.output()).toMatch(/ready on http:\/\/127\.0\.0\.1:\d+/);
    const opKey = (await readFile(path.join(dataDir, 'operator-key'), 'utf8')).trim();
    expect(opKey).toMatch(/^geo_op_/);
    expect((await stat(path.join(dataDir, 'operator-key'))).mode & 0o777).toBe(0o600);
    expect(first.output()).toContain(opKey);
    expect(processesUsing(dataDir).some((l) => l.includes('java'))).toBe(true);

    const base = first.info.apiUrl;
    const created = await api('POST', '/v1/tenants', { base, key: opKey, body: { name: 'Persistent' } });
    expect(created.status).toBe(201);

    expect(await first.stop('SIGINT')).toBe(0);
    expect(processesUsing(dataDir)).toEqual([]);

    const second = await startLocalStack(dataDir);
    onTestFinished(() => void second.stop());
    try {
      expect((await readFile(path.join(dataDir, 'operator-key'), 'utf8')).trim()).toBe(opKey);
      expect(second.output()).not.toContain(opKey);
      const keys = await api('GET', '/v1/keys', { base: second.info.apiUrl, key: created.body.adminKey });
      expect(keys.status).toBe(200);
      expect(keys.body.items.map((k: { name: string }) => k.name)).toEqual(['admin']);
      const again = await api('POST', '/v1/tenants', { base: second.info.apiUrl, key: opKey, body: { name: 'Second' } });
      expect(again.status).toBe(201);
    } finally {
      expect(await second.stop('SIGTERM')).toBe(0);
    }
    expect(processesUsing(dataDir)).toEqual([]);
  }, 180_000);

  it('answers 503 with Retry-After when DynamoDB is unavailable, and writes nothing', async ({ expect }) => {
    const stack = inject('stack');
    const target = new URL(stack.dynamoEndpoint);
    let failOps: RegExp | undefined;
    // A proxy in front of DynamoDB Local (DYNAMODB_ENDPOINT) that can refuse chosen operations.
    const proxy = http.createServer((req, res) => {
      const op = String(req.headers['x-amz-target'] ?? '');
      if (failOps?.test(op)) {
        req.resume();
        res.writeHead(503, { 'content-type': 'application/x-amz-json-1.0' });
        res.end(JSON.stringify({ __type: 'com.amazonaws.dynamodb.v20120810#ServiceUnavailable', message: 'down' }));
        return;
      }
      const up = http.request(
        { host: target.hostname, port: target.port, path: req.url, method: req.method, headers: req.headers },
        (r) => {
          res.writeHead(r.statusCode ?? 500, r.headers);
          r.pipe(res);
        },
      );
      req.pipe(up);
    });
    await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
    const dataDir = await tempDir();
    // Its own table on the shared DynamoDB Local, and its own SQS server (in its process, as npm start runs it): a
    // stack on the shared queues would take, and drop as unknown, the deliveries of the other files' offers.
    const local = await startLocalStack(dataDir, {
      DYNAMODB_ENDPOINT: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`,
      TABLE_NAME: `t503-${Date.now()}`,
    });
    try {
      const base = local.info.apiUrl;
      const opKey = (await readFile(path.join(dataDir, 'operator-key'), 'utf8')).trim();
      const tenant = await api('POST', '/v1/tenants', { base, key: opKey, body: { name: 'Flaky' } });
      expect(tenant.status).toBe(201);
      const admin = tenant.body.adminKey;

      failOps = /TransactWriteItems/;
      const res = await api('POST', '/v1/keys', { base, key: admin, body: { name: 'lost?', kind: 'secret' } });
      expectProblem(res, 503);
      expect(Number(res.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);

      // A key the functions have not read yet (a used one is cached for KEY_CACHE_TTL_S): its read fails, a 503, not a 401.
      const unread = generateKey('secret').key;
      failOps = /GetItem/;
      const authDown = await api('GET', '/v1/keys', { base, key: unread });
      expectProblem(authDown, 503);

      failOps = undefined;
      // The failure was not cached: read again, the key is unknown.
      expectProblem(await api('GET', '/v1/keys', { base, key: unread }), 401);
      const keys = await api('GET', '/v1/keys', { base, key: admin });
      expect(keys.body.items.map((k: { name: string }) => k.name)).toEqual(['admin']);

      // An offer whose records cannot be written gives back its budget and cap slot: nothing half-written.
      const fence = await setupCall('POST', '/v1/geofences', {
        base,
        key: admin,
        body: { name: 'f', geometry: { type: 'Circle', coordinates: [2.17, 41.38], radiusM: 200 } },
      });
      const campaign = await setupCall('POST', '/v1/campaigns', {
        base,
        key: admin,
        body: {
          name: 'c',
          kind: 'location',
          status: 'active',
          geofenceIds: [fence.body.id],
          offer: { title: 't', body: 'b', validForMinutes: 10 },
          budget: { maxOffers: 1 },
          frequencyCap: { maxOffers: 1, perHours: 24 },
        },
      });
      await setupCall('PUT', '/v1/shoppers/s503', { base, key: admin, body: { consent: { location: true, marketing: true } } });
      const ask = () =>
        api('POST', '/v1/offers', { base, key: admin, body: { shopperId: 's503', location: { lat: 41.38, lng: 2.17 } } });
      // The offer, its cap slot, its budget unit are one transaction: refuse it.
      failOps = /TransactWriteItems/;
      expectProblem(await ask(), 503);
      failOps = undefined;
      const stats = await setupCall('GET', `/v1/campaigns/${campaign.body.id}/stats`, { base, key: admin });
      expect(stats.body.budget).toEqual({ maxOffers: 1, used: 0, remaining: 1 });
      const retry = await ask();
      expect(retry.body.offers).toHaveLength(1);
    } finally {
      await local.stop();
      proxy.close();
    }
  });

  it('logs no keys, secrets or coordinates', async ({ expect, onTestFinished }) => {
    const dataDir = await tempDir();
    // What is read is the stack's own output: its table lives on the shared DynamoDB Local (no Java of its own to
    // start), its SQS server in its process.
    const stack = await startLocalStack(dataDir, {
      LOG_LEVEL: 'debug',
      DYNAMODB_ENDPOINT: inject('stack').dynamoEndpoint,
      TABLE_NAME: `tlogs-${Date.now()}`,
    });
    onTestFinished(() => void stack.stop());
    const base = stack.info.apiUrl;
    const opKey = (await readFile(path.join(dataDir, 'operator-key'), 'utf8')).trim();
    const startup = stack.output().length;
    const tenant = await api('POST', '/v1/tenants', { base, key: opKey, body: { name: 'Quiet' } });
    const admin = tenant.body.adminKey as string;
    const hook = await api('PUT', '/v1/webhook', { base, key: admin, body: { url: 'http://127.0.0.1:9/closed' } });
    await api('POST', '/v1/geofences', {
      base,
      key: admin,
      body: { name: 'f', geometry: { type: 'Circle', coordinates: [2.1234567, 41.7654321], radiusM: 100 } },
    });
    await api('PUT', '/v1/shoppers/quiet-1', { base, key: admin, body: { consent: { location: true, marketing: true } } });
    await api('POST', '/v1/offers', {
      base,
      key: admin,
      body: { shopperId: 'quiet-1', location: { lat: 41.7654321, lng: 2.1234567 } },
    });
    await api('GET', '/v1/keys', { base, key: `${admin.slice(0, -2)}zz` });
    await api('POST', '/v1/keys', { base, key: admin, rawBody: '{"name":', headers: { 'content-type': 'application/json' } });
    await stack.stop();
    const logs = stack.output().slice(startup);
    expect(logs).toContain('"route":"/v1/offers"');
    for (const secret of [admin, opKey, hook.body.secret, '41.7654321', '2.1234567']) expect(logs).not.toContain(secret);
  });
});
