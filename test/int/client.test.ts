import createClient, { type Middleware } from 'openapi-fetch';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, apiUrl, operatorKey, unique } from '../support/api.js';
import type { paths } from '../support/openapi-types.js';
import { OpenApiChecker } from '../support/openapi-validate.js';
import { startReceiver, waitFor } from '../support/receiver.js';

const here = { lat: 41.3874, lng: 2.1686 };

interface Seen {
  call: string;
  status: number;
  requestId: string | null;
  problems: string[];
}

describe('a client generated from the OpenAPI document', () => {
  let checker: OpenApiChecker;
  const seen: Seen[] = [];
  /** Every response the generated client receives is checked against the served document. */
  const validate: Middleware = {
    async onResponse({ request, response, schemaPath }) {
      const text = await response.clone().text();
      seen.push({
        call: `${request.method} ${schemaPath}`,
        status: response.status,
        requestId: response.headers.get('x-request-id'),
        problems: [
          ...checker.responseProblems(request.method, schemaPath, { status: response.status, headers: response.headers, text }),
          ...checker.undeclaredFields(request.method, schemaPath, { status: response.status, headers: response.headers, text }),
        ],
      });
      return undefined;
    },
  };
  const clientFor = (key?: string) => {
    const client = createClient<paths>({ baseUrl: apiUrl(), headers: key ? { authorization: `Bearer ${key}` } : {} });
    client.use(validate);
    return client;
  };
  let receiver: Awaited<ReturnType<typeof startReceiver>>;

  beforeAll(async () => {
    const doc = await api('GET', '/openapi.json');
    expect(doc.status).toBe(200);
    checker = new OpenApiChecker(doc.body);
    receiver = await startReceiver();
  });
  afterAll(() => receiver?.close());

  it('drives tenant → store → geofence → campaign → shopper → offer → redeem → stats, every response as documented', async () => {
    const publicApi = clientFor();
    const requestId = unique('client-check');
    const health = await publicApi.GET('/health', { params: { header: { 'X-Request-Id': requestId } } });
    expect(health.data?.status).toBe('ok');
    expect(health.response.headers.get('x-request-id')).toBe(requestId);

    const operator = clientFor(await operatorKey());
    const idempotencyKey = unique('tenant');
    const created = await operator.POST('/v1/tenants', {
      body: { name: unique('Client tenant') },
      params: { header: { 'Idempotency-Key': idempotencyKey } },
    });
    expect(created.response.status).toBe(201);
    const replayed = await operator.POST('/v1/tenants', {
      body: { name: created.data!.tenant.name },
      params: { header: { 'Idempotency-Key': idempotencyKey } },
    });
    expect(replayed.response.headers.get('idempotent-replayed')).toBe('true');
    expect(replayed.data).toEqual(created.data);

    const tenant = clientFor(created.data!.adminKey);
    const store = await tenant.POST('/v1/stores', {
      body: { name: 'Passeig de Gràcia', location: here, timezone: 'Europe/Madrid' },
    });
    expect(store.response.status).toBe(201);
    const storeId = store.data!.id;

    const stores = await tenant.GET('/v1/stores', { params: { query: { limit: 10 } } });
    expect(stores.data!.items.map((s) => s.id)).toEqual([storeId]);

    const fence = await tenant.POST('/v1/geofences', {
      body: { name: 'Around the store', storeId, geometry: { type: 'Circle', coordinates: [here.lng, here.lat], radiusM: 150 } },
    });
    expect(fence.response.status).toBe(201);
    const geofenceId = fence.data!.id;

    const lookup = await tenant.GET('/v1/geofences/lookup', { params: { query: { lat: here.lat, lng: here.lng } } });
    expect(lookup.data!.items.map((g) => g.id)).toEqual([geofenceId]);
    const badLookup = await tenant.GET('/v1/geofences/lookup', { params: { query: { lat: 91, lng: here.lng } } });
    expect(badLookup.error?.status).toBe(422);

    const campaign = await tenant.POST('/v1/campaigns', {
      body: {
        name: 'Welcome',
        kind: 'location',
        status: 'active',
        geofenceIds: [geofenceId],
        holdoutPercent: 0,
        offer: { title: 'Hello {{firstName}}', body: '10 % off today at {{storeName}}', code: 'HOLA10', validForMinutes: 60 },
      },
    });
    expect(campaign.response.status).toBe(201);
    const campaignId = campaign.data!.id;

    const hook = await tenant.PUT('/v1/webhook', { body: { url: receiver.url } });
    expect(hook.data!.secret).toMatch(/^whsec_/);

    const shopperId = unique('shopper');
    const shopper = await tenant.PUT('/v1/shoppers/{shopperId}', {
      params: { path: { shopperId } },
      body: { firstName: 'Núria', consent: { location: true, marketing: true } },
    });
    expect(shopper.response.status).toBe(200);

    const offers = await tenant.POST('/v1/offers', { body: { shopperId, location: { ...here, accuracyM: 10 } } });
    expect(offers.data!.offers.map((o) => [o.campaignId, o.title])).toEqual([[campaignId, 'Hello Núria']]);
    const offerId = offers.data!.offers[0].id;

    const delivered = await waitFor(() => receiver.received.find((r) => r.body.includes(offerId)));
    expect(
      checker.webhookProblems('offer.created', { headers: delivered.headers as Record<string, string>, text: delivered.body }),
    ).toEqual([]);
    expect(JSON.parse(delivered.body)).toMatchObject({ type: 'offer.created', shopperId, offer: { id: offerId, campaignId } });

    const redeemed = await tenant.POST('/v1/offers/{id}/redeem', { params: { path: { id: offerId } }, body: { storeId } });
    expect(redeemed.data!.status).toBe('redeemed');
    const again = await tenant.POST('/v1/offers/{id}/redeem', { params: { path: { id: offerId } }, body: { storeId } });
    expect(again.error?.status).toBe(409);

    // Offers are counted off the request path: wait (outside the typed client) until this one is.
    await expect
      .poll(() => api('GET', `/v1/campaigns/${campaignId}/stats`, { key: created.data!.adminKey }).then((r) => r.body.offered), {
        timeout: 10_000,
      })
      .toBe(1);
    const stats = await tenant.GET('/v1/campaigns/{id}/stats', { params: { path: { id: campaignId } } });
    expect(stats.data).toMatchObject({ offered: 1, redeemed: 1, heldOut: 0, shoppers: { treatment: 1, holdout: 0 } });

    expect(seen.map((s) => `${s.call} ${s.status}`)).toEqual([
      'GET /health 200',
      'POST /v1/tenants 201',
      'POST /v1/tenants 201',
      'POST /v1/stores 201',
      'GET /v1/stores 200',
      'POST /v1/geofences 201',
      'GET /v1/geofences/lookup 200',
      'GET /v1/geofences/lookup 422',
      'POST /v1/campaigns 201',
      'PUT /v1/webhook 200',
      'PUT /v1/shoppers/{shopperId} 200',
      'POST /v1/offers 200',
      'POST /v1/offers/{id}/redeem 200',
      'POST /v1/offers/{id}/redeem 409',
      'GET /v1/campaigns/{id}/stats 200',
    ]);
    expect(seen.flatMap((s) => s.problems)).toEqual([]);
    expect(seen.filter((s) => !s.requestId).map((s) => s.call)).toEqual([]);
  });

  it('finds a response that lacks a documented field, accepts one with an added field and names the added field', () => {
    const store = {
      id: 'st_1',
      name: 'A store',
      location: here,
      timezone: 'Europe/Madrid',
      address: null,
      createdAt: 'x',
      updatedAt: 'y',
    };
    const response = (body: unknown) => ({
      status: 200,
      headers: { 'content-type': 'application/json' },
      text: JSON.stringify(body),
    });
    expect(checker.responseProblems('GET', '/v1/stores/{id}', response(store))).toEqual([]);
    expect(checker.responseProblems('GET', '/v1/stores/{id}', response({ ...store, openingHours: 'always' }))).toEqual([]);
    const { name: _name, ...nameless } = store;
    expect(checker.responseProblems('GET', '/v1/stores/{id}', response(nameless))).toEqual([expect.stringContaining('name')]);
    expect(checker.undeclaredFields('GET', '/v1/stores/{id}', response({ ...store, openingHours: 'always' }))).toEqual([
      expect.stringContaining('openingHours is not declared'),
    ]);
    expect(checker.responseProblems('GET', '/v1/stores/{id}', { ...response(store), status: 201 })).toEqual([
      expect.stringContaining('201 is not documented'),
    ]);
    expect(
      checker.responseProblems('GET', '/health', { status: 200, headers: { 'content-type': 'text/plain' }, text: 'ok' }),
    ).toEqual([expect.stringContaining('content type "text/plain"')]);
  });
});
