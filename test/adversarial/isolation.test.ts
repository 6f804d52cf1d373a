import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { SCOPES } from '../../shared/auth/principal.js';
import type { RouteDef } from '../../shared/http/route.js';
import { routes } from '../../shared/http/routes.js';
import { type ApiResponse, api, newKey, newTenant, unique } from '../support/api.js';
import { fromSchema, jsonSchemaOf } from './arbitraries.js';
import { buildFixture, type Fixture, fillPath, HERE, idFor } from './fixture.js';

/**
 * The authorization matrix, generated from the route table: every route ×
 * another tenant's key, a key without the route's scope, a store-restricted
 * key on another store's resources, the publishable key, the operator key and
 * no key at all. A route added to the table is in the matrix at once; its
 * request body is generated from its schema (or taken from VALID_BODIES when
 * random values rarely pass it), so the refusal seen is the authorization's,
 * not the validation's.
 */
const ALL = routes as readonly RouteDef[];
const tenantRoutes = ALL.filter((r) => r.auth !== 'none' && r.auth !== 'operator');

/** Bodies that pass validation, for routes whose schema random values rarely satisfy. */
function validBody(r: RouteDef, f: Fixture): unknown {
  const fixed: Record<string, unknown> = {
    createStore: { name: unique('store'), location: HERE, timezone: 'Europe/Madrid' },
    updateStore: { name: unique('store') },
    createGeofence: { name: unique('fence'), geometry: { type: 'Circle', coordinates: [HERE.lng, HERE.lat], radiusM: 100 } },
    replaceGeofence: { name: unique('fence'), geometry: { type: 'Circle', coordinates: [HERE.lng, HERE.lat], radiusM: 100 } },
    updateGeofence: { name: unique('fence') },
    createCampaign: {
      name: unique('campaign'),
      kind: 'location',
      status: 'paused',
      geofenceIds: [f.ids.geofence],
      offer: { title: 'Hi', body: 'There', validForMinutes: 30 },
    },
    updateCampaign: { name: unique('campaign') },
    putShopper: { consent: { location: true, marketing: true } },
    requestOffers: { shopperId: f.ids.shopperId, location: { ...HERE, accuracyM: 10 } },
    recordConversion: { shopperId: f.ids.shopperId, amount: 10 },
    createKey: { name: unique('key'), kind: 'secret', scopes: ['stores:read'] },
    setWebhook: { url: 'http://127.0.0.1:9/hook' },
    redeemOffer: {},
  };
  if (r.id in fixed) return fixed[r.id];
  if (!r.body) return undefined;
  // Generated from the route's own schema until one value passes it.
  for (const v of fc.sample(fromSchema(jsonSchemaOf(r.body)), { numRuns: 500, seed: 7 }))
    if (r.body.safeParse(v).success) return v;
  throw new Error(`no valid body for ${r.id}: add one to VALID_BODIES in test/adversarial/isolation.test.ts`);
}

async function call(
  r: RouteDef,
  f: Fixture,
  key: string | undefined,
  which: 'own' | 'other' = 'own',
  headers: Record<string, string> = {},
) {
  const path = fillPath(r.path, (p) => idFor(r.path, p, f, which));
  const body = r.method === 'GET' || r.method === 'DELETE' ? undefined : validBody(r, f);
  const query = r.id === 'lookupGeofences' ? `?lat=${HERE.lat}&lng=${HERE.lng}` : '';
  return api(r.method, `${path}${query}`, { key, body, headers });
}

function isProblem(res: ApiResponse, statuses: number[]) {
  const ct = res.headers.get('content-type') ?? '';
  return statuses.includes(res.status) && ct.startsWith('application/problem+json') && res.body?.status === res.status;
}

describe('the authorization matrix of the route table', () => {
  let f: Fixture;
  let otherTenantKey: string;
  beforeAll(async () => {
    f = await buildFixture();
    otherTenantKey = (await newTenant(unique('intruder'))).adminKey;
  }, 120_000);

  it("another tenant's key gets 404 for every route that names one of this tenant's resources", async () => {
    const wrong: string[] = [];
    for (const r of tenantRoutes.filter((x) => /\{(?!shopperId\})[^}]+\}/.test(x.path))) {
      const res = await call(r, f, otherTenantKey);
      if (!isProblem(res, [404])) wrong.push(`${r.method} ${r.path}: ${res.status} ${JSON.stringify(res.body).slice(0, 160)}`);
    }
    expect(wrong).toEqual([]);
    // Shopper ids are names within a tenant: the other tenant reading this one's shopper finds nothing of it.
    for (const r of tenantRoutes.filter((x) => x.path.includes('{shopperId}') && x.method === 'GET')) {
      const res = await call(r, f, otherTenantKey);
      expect
        .soft(
          res.status === 404 || JSON.stringify(res.body).includes('Ana') === false,
          `${r.method} ${r.path} leaked: ${JSON.stringify(res.body)}`,
        )
        .toBe(true);
      expect.soft(JSON.stringify(res.body ?? '')).not.toContain(f.ids.offer);
    }
  });

  it('a key without the route’s scope gets 403 on every route', async () => {
    const wrong: string[] = [];
    const keysByMissing = new Map<string, string>();
    for (const r of tenantRoutes) {
      const scope = r.auth;
      let key = keysByMissing.get(scope);
      if (!key) {
        key = (await newKey(f.adminKey, { kind: 'secret', scopes: SCOPES.filter((s) => s !== scope) })).key;
        keysByMissing.set(scope, key);
      }
      const res = await call(r, f, key);
      if (!isProblem(res, [403])) wrong.push(`${r.method} ${r.path} without ${scope}: ${res.status}`);
    }
    expect(wrong).toEqual([]);
  });

  it('the publishable key gets 403 on every route but requesting and redeeming offers', async () => {
    const headers: Record<string, string> = f.shopperToken ? { 'shopper-token': f.shopperToken } : {};
    const wrong: string[] = [];
    for (const r of tenantRoutes.filter((x) => x.auth !== 'offers:write' && x.auth !== 'offers:redeem')) {
      const res = await call(r, f, f.pubKey, 'own', headers);
      if (!isProblem(res, [403])) wrong.push(`${r.method} ${r.path}: ${res.status}`);
    }
    expect(wrong).toEqual([]);
  });

  it("a store-restricted key cannot reach another store's store, fences, campaigns and stats (403 or 404), nor shoppers", async () => {
    const own = await newKey(f.adminKey, { kind: 'secret', storeIds: [f.ids.store] });
    const wrong: string[] = [];
    for (const r of tenantRoutes.filter((x) => /^\/v1\/(stores|geofences|campaigns)\/\{id\}/.test(x.path))) {
      const res = await call(r, f, own.key, 'other');
      if (!isProblem(res, [403, 404])) wrong.push(`${r.method} ${r.path} (other store): ${res.status}`);
    }
    for (const r of tenantRoutes.filter((x) => x.path.startsWith('/v1/shoppers/'))) {
      const res = await call(r, f, own.key);
      // A shopper's offers belong to stores: a store's key lists only its own stores' offers. Profiles are tenant-wide: 403.
      if (r.id === 'listShopperOffers') {
        const stores = (res.body?.items ?? []).map((o: { storeId: string | null }) => o.storeId);
        if (res.status !== 200 || stores.some((s: string | null) => s !== f.ids.store))
          wrong.push(`${r.method} ${r.path}: ${res.status} ${JSON.stringify(stores)}`);
      } else if (!isProblem(res, [403])) wrong.push(`${r.method} ${r.path} (tenant-wide shoppers): ${res.status}`);
    }
    expect(wrong).toEqual([]);
  });

  it('the operator key reads no tenant data (403), and no key at all is 401, on every route', async () => {
    const wrong: string[] = [];
    for (const r of tenantRoutes) {
      const op = await call(r, f, f.operatorKey);
      if (!isProblem(op, [403])) wrong.push(`${r.method} ${r.path} as operator: ${op.status}`);
      const none = await call(r, f, undefined);
      if (!isProblem(none, [401])) wrong.push(`${r.method} ${r.path} without a key: ${none.status}`);
    }
    expect(wrong).toEqual([]);
  });

  it("after the whole matrix this tenant's resources are as they were", async () => {
    const got = await api('GET', `/v1/shoppers/${f.ids.shopperId}`, { key: f.adminKey });
    expect(got.status).toBe(200);
    expect(got.body.firstName).toBe('Ana');
    for (const p of [
      `/v1/stores/${f.ids.otherStore}`,
      `/v1/geofences/${f.ids.otherFence}`,
      `/v1/campaigns/${f.ids.otherCampaign}`,
    ])
      expect((await api('GET', p, { key: f.adminKey })).status, p).toBe(200);
  });
});
