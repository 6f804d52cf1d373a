import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type ApiResponse, api, expectProblem } from '../support/api.js';
import { type RunningStack, startLocalStack } from '../support/local-stack.js';
import { startReceiver, waitFor } from '../support/receiver.js';

/**
 * The log lines of a request, from a local stack of its own (LOG_LEVEL=info,
 * its output captured): what the functions write is what they write on AWS.
 */
let stack: RunningStack;
let dataDir: string;
let base: string;
let admin: string;
let tenantId: string;

type Line = Record<string, any>;

function jsonLines(text: string): Line[] {
  return text
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .flatMap((l) => {
      try {
        return [JSON.parse(l) as Line];
      } catch {
        return [];
      }
    });
}

/** Send one request and collect every line written until its access line is out (no other traffic runs meanwhile). */
async function logged(send: () => Promise<ApiResponse>) {
  const from = stack.output().length;
  const res = await send();
  const requestId = res.headers.get('x-request-id');
  const lines = await waitFor(
    () => {
      const all = jsonLines(stack.output().slice(from));
      return all.some((l) => l.message === 'request' && l.requestId === requestId) ? all : undefined;
    },
    10_000,
    50,
  );
  return { res, requestId, logs: lines.filter((l) => !('_aws' in l)), metrics: lines.filter((l) => '_aws' in l) };
}

beforeAll(async () => {
  const shared = inject('stack');
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'geo-offers-logging-'));
  // Its own process and queue, the run's DynamoDB Local with a table of its own.
  stack = await startLocalStack(dataDir, {
    LOG_LEVEL: 'info',
    DYNAMODB_ENDPOINT: shared.dynamoEndpoint,
    TABLE_NAME: `logging-${Date.now()}`,
  });
  base = stack.info.apiUrl;
  const opKey = (await readFile(path.join(dataDir, 'operator-key'), 'utf8')).trim();
  const tenant = await api('POST', '/v1/tenants', { base, key: opKey, body: { name: 'Logged' } });
  admin = tenant.body.adminKey;
  tenantId = tenant.body.tenant.id;
  const fence = await api('POST', '/v1/geofences', {
    base,
    key: admin,
    body: { name: 'f', geometry: { type: 'Circle', coordinates: [2.17, 41.38], radiusM: 200 } },
  });
  expect(fence.status).toBe(201);
  const shopper = await api('PUT', '/v1/shoppers/logged-1', {
    base,
    key: admin,
    body: { consent: { location: true, marketing: true } },
  });
  expect(shopper.status).toBe(200);
}, 120_000);

afterAll(async () => {
  await stack?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

const askOffers = (headers: Record<string, string>) => () =>
  api('POST', '/v1/offers', { base, key: admin, headers, body: { shopperId: 'logged-1', location: { lat: 41.38, lng: 2.17 } } });

describe('the log lines of a request', () => {
  it("all carry its requestId and tenantId, the function's name and its cold start", async () => {
    const first = await logged(askOffers({ 'X-Request-Id': 'my-trace-123' }));
    expect(first.res.status).toBe(200);
    expect(first.res.body.geofences).toHaveLength(1);
    expect(first.res.headers.get('x-request-id')).toBe('my-trace-123');
    expect(first.logs.length).toBeGreaterThan(0);
    for (const line of first.logs)
      expect(line, JSON.stringify(line)).toMatchObject({
        requestId: 'my-trace-123',
        tenantId,
        function_name: 'offers',
        cold_start: true,
        service: 'geo-offers',
      });
    expect(first.logs).toContainEqual(
      expect.objectContaining({ level: 'INFO', message: 'request', method: 'POST', route: '/v1/offers', status: 200 }),
    );
    // Nothing of the request itself: no coordinates, no key.
    expect(JSON.stringify(first.logs)).not.toMatch(/41\.38|2\.17|geo_(sk|pk|op)_/);

    const second = await logged(askOffers({ 'x-request-id': 'my-trace-124' }));
    for (const line of second.logs)
      expect(line).toMatchObject({ requestId: 'my-trace-124', tenantId, function_name: 'offers', cold_start: false });
  });

  it('come with its metrics in EMF: the request, the fences matched, the offers made and the latency', async () => {
    const { metrics } = await logged(askOffers({ 'X-Request-Id': 'my-trace-125' }));
    const names = metrics.flatMap((m) =>
      m._aws.CloudWatchMetrics.flatMap((d: { Metrics: { Name: string }[] }) => d.Metrics.map((x) => x.Name)),
    );
    expect(names.sort()).toEqual(['FencesMatched', 'HeldOut', 'OffersMade', 'OffersRequested', 'RequestLatency']);
    const emf = Object.assign({}, ...metrics);
    expect(emf).toMatchObject({ OffersRequested: 1, FencesMatched: 1, OffersMade: 0, HeldOut: 0, service: 'geo-offers' });
    expect(emf._aws.CloudWatchMetrics[0].Namespace).toBe('GeoOffers');
    expect(typeof emf.RequestLatency).toBe('number');
  });

  it('carry a new id in place of an X-Request-Id that is too long or has other characters, and the response echoes it', async () => {
    for (const sent of ['x'.repeat(129), 'has spaces', 'semi;colon']) {
      const { res, requestId, logs } = await logged(() =>
        api('GET', '/v1/keys', { base, key: admin, headers: { 'X-Request-Id': sent } }),
      );
      expect(res.status).toBe(200);
      expect(requestId).not.toBe(sent);
      expect(requestId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
      expect(logs.length).toBeGreaterThan(0);
      for (const line of logs) expect(line).toMatchObject({ requestId, tenantId, function_name: 'keys' });
    }
  });

  it('are made without an X-Request-Id, each request with an id of its own', async () => {
    const a = await logged(() => api('GET', '/v1/keys', { base, key: admin }));
    const b = await logged(() => api('GET', '/v1/keys', { base, key: admin }));
    expect(a.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(b.requestId).not.toBe(a.requestId);
    for (const line of a.logs) expect(line.requestId).toBe(a.requestId);
  });
});

describe('X-Request-Id on problem responses', () => {
  it('is echoed by a function error and by an answer of the gateway itself, and logged with it', async () => {
    const missing = await logged(() =>
      api('GET', '/v1/stores/st_none', { base, key: admin, headers: { 'X-Request-Id': 'trace.404' } }),
    );
    expectProblem(missing.res, 404);
    expect(missing.requestId).toBe('trace.404');
    for (const line of missing.logs) expect(line).toMatchObject({ requestId: 'trace.404', tenantId, function_name: 'stores' });

    const denied = await logged(() =>
      api('GET', '/v1/keys', { base, key: `${admin.slice(0, -2)}zz`, headers: { 'X-Request-Id': 'trace_401' } }),
    );
    expectProblem(denied.res, 401);
    expect(denied.requestId).toBe('trace_401');
    expect(denied.logs).toContainEqual(
      expect.objectContaining({ message: 'request', requestId: 'trace_401', status: 401, route: '/v1/keys' }),
    );
  });
});

describe('a client X-Request-Id', () => {
  it('appears in the delivery log line of its offer', async () => {
    const receiver = await startReceiver();
    try {
      const hook = await api('PUT', '/v1/webhook', { base, key: admin, body: { url: receiver.url } });
      expect(hook.status).toBe(200);
      const fences = await api('GET', '/v1/geofences', { base, key: admin });
      const campaign = await api('POST', '/v1/campaigns', {
        base,
        key: admin,
        body: {
          name: 'Traced',
          kind: 'location',
          status: 'active',
          geofenceIds: [fences.body.items[0].id],
          // The shopper asked here before (above): fire on every location, not only on entering.
          trigger: 'inside',
          holdoutPercent: 0,
          offer: { title: 'Hello', body: 'Ten percent off today', validForMinutes: 30 },
        },
      });
      expect(campaign.status).toBe(201);
      const from = stack.output().length;
      const res = await api('POST', '/v1/offers', {
        base,
        key: admin,
        headers: { 'X-Request-Id': 'trace-to-webhook.42' },
        body: { shopperId: 'logged-1', location: { lat: 41.38, lng: 2.17 } },
      });
      expect(res.status).toBe(200);
      expect(res.body.offers).toHaveLength(1);
      const offerId = res.body.offers[0].id;
      const delivered = await waitFor(
        () => jsonLines(stack.output().slice(from)).find((l) => l.message === 'webhook delivered' && l.offerId === offerId),
        20_000,
        100,
      );
      expect(delivered).toMatchObject({ requestId: 'trace-to-webhook.42', tenantId, offerId, function_name: 'deliver' });
      expect(receiver.received).toHaveLength(1);
      // The webhook itself carries no request id or coordinates.
      expect(receiver.received[0].body).not.toMatch(/trace-to-webhook|41\.38|2\.17/);
    } finally {
      await receiver.close();
    }
  });
});
