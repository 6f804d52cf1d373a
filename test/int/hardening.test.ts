import { describe, expect, it } from 'vitest';
import { api, expectProblem, newKey, newTenant, unique } from '../support/api.js';
import { consentingShopper, offersFor, storeFenceCampaign } from '../support/marketing-fixtures.js';

const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
const here = { lat: 36.7213, lng: -4.4214 };

describe('inputs that used to break things', () => {
  it("answers 422 for forged cursors of the caller's own partition (regression: DynamoDB ValidationException → 500)", async () => {
    const t = await newTenant();
    for (const c of [
      { pk: `T#${t.id}` },
      { pk: `T#${t.id}`, sk: '' },
      { pk: `T#${t.id}`, sk: 'ZZZ' },
      { pk: `T#${t.id}`, sk: 'STORE#' },
      { pk: `T#${t.id}`, sk: 'STORE#x', extra: 'y' },
    ]) {
      const p = expectProblem(await api('GET', `/v1/stores?cursor=${b64(c)}`, { key: t.adminKey }), 422);
      expect(p.errors).toEqual([{ path: 'cursor', message: expect.any(String) }]);
    }
    expectProblem(await api('GET', `/v1/geofences?storeId=st_x&cursor=${b64({ gsi1pk: 'x' })}`, { key: t.adminKey }), 422);
    expectProblem(await api('GET', '/v1/keys?cursor=%%%', { key: t.adminKey }), 422);
  });

  it('answers 404 for ids that cannot exist (regression: 3,000-character ids → 500)', async () => {
    const t = await newTenant();
    const long = 'x'.repeat(3000);
    for (const [m, path] of [
      ['GET', `/v1/stores/${long}`],
      ['GET', `/v1/geofences/${long}`],
      ['DELETE', `/v1/keys/${long}`],
      ['GET', `/v1/campaigns/${long}/stats`],
      ['POST', `/v1/offers/${long}/redeem`],
      ['GET', '/v1/stores/a%2Fb'],
    ] as const)
      expectProblem(await api(m, path, { key: t.adminKey, body: m === 'POST' ? {} : undefined }), 404);
    const put = expectProblem(
      await api('PUT', `/v1/shoppers/${long}`, { key: t.adminKey, body: { consent: { location: true, marketing: true } } }),
      422,
    );
    expect(put.errors![0].path).toBe('shopperId');
  });

  it('refuses reserved object keys in metadata and attributes (regression: "constructor" → 500)', async () => {
    const t = await newTenant();
    for (const k of ['constructor', '__proto__', 'prototype']) {
      const g = await api('POST', '/v1/geofences', {
        key: t.adminKey,
        rawBody: `{"name":"x","geometry":{"type":"Circle","coordinates":[0,0],"radiusM":50},"metadata":{"${k}":"y"}}`,
        headers: { 'content-type': 'application/json' },
      });
      expectProblem(g, 422);
      const s = await api('PUT', '/v1/shoppers/reserved', {
        key: t.adminKey,
        rawBody: `{"consent":{"location":true,"marketing":true},"attributes":{"${k}":"y"}}`,
        headers: { 'content-type': 'application/json' },
      });
      expectProblem(s, 422);
    }
  });

  it('names the real problem for a null where a string belongs (regression: every type error read "Required.")', async () => {
    const t = await newTenant();
    const p = expectProblem(
      await api('POST', '/v1/stores', { key: t.adminKey, body: { name: null, location: { lat: 1, lng: 1 }, timezone: 'UTC' } }),
      422,
    );
    expect(p.errors).toEqual([{ path: 'name', message: expect.stringContaining('received null') }]);
    const missing = expectProblem(
      await api('POST', '/v1/stores', { key: t.adminKey, body: { location: { lat: 1, lng: 1 }, timezone: 'UTC' } }),
      422,
    );
    expect(missing.errors).toEqual([{ path: 'name', message: 'Required.' }]);
  });

  it('redeems with no body at all, since every field is optional', async () => {
    const t = await newTenant();
    await storeFenceCampaign(t.adminKey, here);
    const s = unique('s');
    await consentingShopper(t.adminKey, s);
    const [offer] = (await offersFor(t.adminKey, s, here)).offers;
    const res = await api('POST', `/v1/offers/${offer.id}/redeem`, { key: t.adminKey });
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('redeemed');
  });

  it('checks store ids on conversions and new keys', async () => {
    const t = await newTenant();
    const other = await newTenant();
    const { storeId: foreign } = await storeFenceCampaign(other.adminKey, here);
    const conv = expectProblem(
      await api('POST', '/v1/conversions', { key: t.adminKey, body: { shopperId: 'x', storeId: foreign } }),
      422,
    );
    expect(conv.errors![0].path).toBe('storeId');
    const key = expectProblem(
      await api('POST', '/v1/keys', { key: t.adminKey, body: { name: 'k', kind: 'secret', storeIds: ['st_nope'] } }),
      422,
    );
    expect(key.errors![0].path).toBe('storeIds[0]');
  });
});

describe('query strings and paging', () => {
  it('reads numbers in query strings as decimals only (regression: lat= and 0x29 were accepted)', async () => {
    const t = await newTenant();
    for (const q of ['lat=&lng=', 'lat=0x29&lng=2', 'lat=41&lng=', 'lat=abc&lng=1'])
      expectProblem(await api('GET', `/v1/geofences/lookup?${q}`, { key: t.adminKey }), 422);
    expect((await api('GET', '/v1/geofences/lookup?lat=41.5&lng=-2e0', { key: t.adminKey })).status).toBe(200);
    expectProblem(await api('GET', '/v1/stores?limit=0x10', { key: t.adminKey }), 422);
  });

  it("pages a shopper's live offers", async () => {
    const t = await newTenant();
    await storeFenceCampaign(t.adminKey, here);
    await storeFenceCampaign(t.adminKey, here);
    await storeFenceCampaign(t.adminKey, here);
    const s = unique('s');
    await consentingShopper(t.adminKey, s);
    const { offers } = await offersFor(t.adminKey, s, here);
    expect(offers).toHaveLength(3);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { body: { items: { id: string }[]; nextCursor: string | null } } = await api(
        'GET',
        `/v1/shoppers/${s}/offers?limit=2${cursor ? `&cursor=${cursor}` : ''}`,
        { key: t.adminKey },
      );
      seen.push(...page.body.items.map((o) => o.id));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(seen.sort()).toEqual(offers.map((o) => o.id).sort());
  });
});

describe('store-restricted keys', () => {
  it('list and revoke only keys within their own stores (regression: could revoke the admin key)', async () => {
    const t = await newTenant();
    const { storeId } = await storeFenceCampaign(t.adminKey, here);
    const manager = await newKey(t.adminKey, { kind: 'secret', scopes: ['keys:write', 'stores:read'], storeIds: [storeId] });
    const till = await newKey(manager.key, { kind: 'secret', scopes: ['stores:read'], storeIds: [storeId] });
    const listed = await api('GET', '/v1/keys', { key: manager.key });
    expect(listed.body.items.map((k: { id: string }) => k.id).sort()).toEqual([manager.id, till.id].sort());
    const admin = (await api('GET', '/v1/keys', { key: t.adminKey })).body.items.find(
      (k: { name: string }) => k.name === 'admin',
    );
    expectProblem(await api('DELETE', `/v1/keys/${admin.id}`, { key: manager.key }), 403);
    expect((await api('DELETE', `/v1/keys/${till.id}`, { key: manager.key })).status).toBe(204);
    expect((await api('GET', '/v1/keys', { key: t.adminKey })).status).toBe(200);
  });

  it('lose sight of a campaign once one of its fences moves to another store (regression: stale store list)', async () => {
    const t = await newTenant();
    const a = await storeFenceCampaign(t.adminKey, here);
    const b = await storeFenceCampaign(t.adminKey, { lat: 36.73, lng: -4.43 });
    const k = await newKey(t.adminKey, {
      kind: 'secret',
      scopes: ['campaigns:read', 'campaigns:write', 'stats:read'],
      storeIds: [a.storeId],
    });
    expect((await api('GET', `/v1/campaigns/${a.campaignId}`, { key: k.key })).status).toBe(200);
    expect((await api('PATCH', `/v1/geofences/${a.geofenceId}`, { key: t.adminKey, body: { storeId: b.storeId } })).status).toBe(
      200,
    );
    expectProblem(await api('GET', `/v1/campaigns/${a.campaignId}`, { key: k.key }), 403);
    expectProblem(await api('GET', `/v1/campaigns/${a.campaignId}/stats`, { key: k.key }), 403);
    expectProblem(await api('DELETE', `/v1/campaigns/${a.campaignId}`, { key: k.key }), 403);
    expect((await api('GET', '/v1/campaigns', { key: k.key })).body.items).toEqual([]);
  });

  it('cannot export or erase a shopper (both cover every store)', async () => {
    const t = await newTenant();
    const { storeId } = await storeFenceCampaign(t.adminKey, here);
    const k = await newKey(t.adminKey, { kind: 'secret', scopes: ['shoppers:read', 'shoppers:write'], storeIds: [storeId] });
    await consentingShopper(t.adminKey, 'shared-shopper');
    expectProblem(await api('GET', '/v1/shoppers/shared-shopper/export', { key: k.key }), 403);
    expectProblem(await api('DELETE', '/v1/shoppers/shared-shopper', { key: k.key }), 403);
    expect((await api('GET', '/v1/shoppers/shared-shopper', { key: t.adminKey })).status).toBe(200);
  });
});
