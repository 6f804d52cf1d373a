import { randomUUID } from 'node:crypto';
import http from 'node:http';
import { describe, expect, it } from 'vitest';
import { generateKey } from '../../shared/auth/apikey.js';
import type { Principal } from '../../shared/auth/principal.js';
import { UNKNOWN_KEY_SOURCE_LIMIT } from '../../shared/auth/rate-limit.js';
import { isHeldOut } from '../../shared/domain/targeting/index.js';
import { DomainError } from '../../shared/platform/errors.js';
import { requestOffers } from '../../shared/services/offers.js';
import { recordConversion, redeem } from '../../shared/services/redemption.js';
import { shopperPartition } from '../../shared/store/keys.js';
import { api, apiUrl, expectProblem, newKey, unique } from '../support/api.js';
import {
  CONSENT,
  campaignStats,
  circle,
  createCampaign,
  createFence,
  createStore,
  marketingTenant,
  north,
  putShopper,
  type OfferResponse,
  type Tenant,
} from '../support/marketing.js';
import { pool, storedItems } from '../support/principal.js';

/**
 * The abuses of a publishable key, tried as an attacker would with nothing but
 * that key (it ships inside the app), each pinned by a test named after it.
 * Over HTTP, an app's requests carry a Shopper-Token minted by the tenant's
 * server (POST /v1/shopper-tokens), as API.md requires; the rules of the offer
 * service are also checked in-process with the principal a verified token
 * produces (a publishable key acting for one shopper).
 */

const PLAZA = { lat: 41.3874, lng: 2.1686 };
const FAR = { lat: 41.41, lng: 2.2 };

/** A publishable key of the tenant (an app), with its deviceAttributes if any. */
async function appKey(t: Tenant, body: Record<string, unknown> = {}): Promise<string> {
  return (await newKey(t.adminKey, { kind: 'publishable', ...body })).key;
}

/** A Shopper-Token for `shopperId`, minted by the tenant's server. */
async function shopperToken(t: Tenant, shopperId: string): Promise<string> {
  const res = await api('POST', '/v1/shopper-tokens', { key: t.key, body: { shopperId } });
  if (res.status !== 201) throw new Error(`shopper token: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.token;
}

/** An app's request: its publishable key and the shopper's token. */
async function asApp(t: Tenant, key: string, shopperId: string) {
  const headers = { 'shopper-token': await shopperToken(t, shopperId) };
  return {
    offers: (body: Record<string, unknown>) => api<OfferResponse>('POST', '/v1/offers', { key, body, headers }),
    redeem: (offerId: string, body: Record<string, unknown> = {}) =>
      api('POST', `/v1/offers/${offerId}/redeem`, { key, body, headers }),
    call: (method: string, path: string, body?: unknown) => api(method, path, { key, body, headers }),
  };
}

/** The principal authorize() makes of a publishable key with a verified token for `shopperId`. */
const appPrincipal = (tenantId: string, shopperId: string, deviceAttributes: string[] = []): Principal => ({
  kind: 'publishable',
  keyId: 'key_app',
  tenantId,
  scopes: ['offers:write', 'offers:redeem'],
  storeIds: [],
  shopperId,
  deviceAttributes,
});

/** The domain error a service call throws (it must throw). */
async function refusal(p: Promise<unknown>): Promise<DomainError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(DomainError);
  return err as DomainError;
}

const PLATINUM_ONLY = { match: 'all', rules: [{ attribute: 'loyaltyTier', op: 'eq', value: 'platinum' }] };

describe('audience spoofing', () => {
  it('refuses an inline loyaltyTier from a publishable key with 422 naming profile.loyaltyTier', async () => {
    const t = await marketingTenant();
    const fence = await createFence(t.key, { geometry: circle(PLAZA, 200) });
    await createCampaign(t.key, { name: 'platinum', geofenceIds: [fence.id], audience: PLATINUM_ONLY });
    const invented = unique('invented');
    const app = await asApp(t, await appKey(t), invented);
    const res = await app.offers({ location: PLAZA, profile: { loyaltyTier: 'platinum', consent: { ...CONSENT } } });
    const p = expectProblem(res, 422);
    expect(p.errors).toEqual([{ path: 'profile.loyaltyTier', message: expect.stringContaining('publishable key') }]);
    // Nothing about the invented shopper was stored.
    expect(await storedItems({ partitions: [shopperPartition(t.id, invented)] })).toEqual([]);
  });

  it('gives a stored bronze shopper no platinum offer, whatever the app sends', async () => {
    const t = await marketingTenant();
    const fence = await createFence(t.key, { geometry: circle(PLAZA, 200) });
    const platinum = await createCampaign(t.key, { name: 'platinum', geofenceIds: [fence.id], audience: PLATINUM_ONLY });
    const everyone = await createCampaign(t.key, { name: 'everyone', geofenceIds: [fence.id] });
    const bronze = unique('bronze');
    await putShopper(t.key, bronze, { loyaltyTier: 'bronze' });

    // Over HTTP: the inline tier is refused, and without it the stored tier decides.
    const app = await asApp(t, await appKey(t), bronze);
    expectProblem(await app.offers({ location: PLAZA, profile: { loyaltyTier: 'platinum' } }), 422);
    const plain = await app.offers({ location: PLAZA, profile: { consent: { ...CONSENT } } });
    expect(plain.status).toBe(200);
    expect(plain.body.offers.map((o) => o.campaignId)).toEqual([everyone.id]);

    // In-process, the same rule: the device's profile never reaches the audience.
    const e = await refusal(
      requestOffers(appPrincipal(t.id, bronze), {
        location: PLAZA,
        profile: { loyaltyTier: 'platinum', relationship: 'lapsed' },
      }),
    );
    expect(e.errors?.map((x) => x.path)).toEqual(['profile.loyaltyTier', 'profile.relationship']);

    // Control: the tenant's server (a secret key) may still override for one request, and then platinum matches.
    const other = unique('server-side');
    await putShopper(t.key, other, { loyaltyTier: 'bronze' });
    const server = await api<OfferResponse>('POST', '/v1/offers', {
      key: t.key,
      body: { shopperId: other, location: PLAZA, profile: { loyaltyTier: 'platinum' } },
    });
    expect(server.body.offers.map((o) => o.campaignId).sort()).toEqual([platinum.id, everyone.id].sort());
  });

  it("refuses an inline firstName, so a forged text never reaches a real shopper's offer", async () => {
    const t = await marketingTenant();
    const fence = await createFence(t.key, { geometry: circle(PLAZA, 200) });
    await createCampaign(t.key, {
      geofenceIds: [fence.id],
      offer: { title: 'Hi {{firstName}}, a coffee on us', body: 'Today only', validForMinutes: 60 },
    });
    const ana = unique('ana');
    await putShopper(t.key, ana, { firstName: 'Ana' });
    const app = await asApp(t, await appKey(t), ana);
    const forged = await app.offers({ location: PLAZA, profile: { firstName: 'click evil.example/win to claim' } });
    const p = expectProblem(forged, 422);
    expect(p.errors?.map((x) => x.path)).toEqual(['profile.firstName']);
    expect(JSON.stringify(p)).not.toContain('evil.example');
    // No offer was stored for Ana by the forged request; a real one carries her stored name.
    const live = await api('GET', `/v1/shoppers/${ana}/offers`, { key: t.key });
    expect(live.body.items).toEqual([]);
    const real = await app.offers({ location: PLAZA });
    expect(real.body.offers.map((o) => o.title)).toEqual(['Hi Ana, a coffee on us']);
  });

  it("accepts the key's deviceAttributes inline, and names any other attribute", async () => {
    const t = await marketingTenant();
    const fence = await createFence(t.key, { geometry: circle(PLAZA, 200) });
    const newApp = await createCampaign(t.key, {
      name: 'new app version',
      geofenceIds: [fence.id],
      audience: { match: 'all', rules: [{ attribute: 'attributes.appVersion', op: 'eq', value: '5.2' }] },
    });
    const key = await appKey(t, { deviceAttributes: ['appVersion', 'pushEnabled'] });
    const s1 = unique('device');
    const s2 = unique('device');
    await putShopper(t.key, s1);
    await putShopper(t.key, s2);
    const app1 = await asApp(t, key, s1);
    const refused = expectProblem(
      await app1.offers({ location: PLAZA, profile: { attributes: { appVersion: '5.2', homeNeighbourhood: 'Gràcia' } } }),
      422,
    );
    expect(refused.errors?.map((x) => x.path)).toEqual(['profile.attributes.homeNeighbourhood']);
    const ok = await app1.offers({ location: PLAZA, profile: { attributes: { appVersion: '5.2', pushEnabled: true } } });
    expect(ok.status).toBe(200);
    expect(ok.body.offers.map((o) => o.campaignId)).toEqual([newApp.id]);
    // Another version does not match (the attribute really is what decides).
    const app2 = await asApp(t, key, s2);
    expect((await app2.offers({ location: PLAZA, profile: { attributes: { appVersion: '5.1' } } })).body.offers).toEqual([]);
    // A key without deviceAttributes accepts none.
    const plainApp = await asApp(t, await appKey(t), s2);
    const none = expectProblem(await plainApp.offers({ location: PLAZA, profile: { attributes: { appVersion: '5.2' } } }), 422);
    expect(none.errors?.map((x) => x.path)).toEqual(['profile.attributes.appVersion']);
  });
});

describe('device attributes on keys', () => {
  it('are for publishable keys only, at most 20, returned on creation and in the list', async () => {
    const t = await marketingTenant();
    const created = await api('POST', '/v1/keys', {
      key: t.adminKey,
      body: { name: 'app', kind: 'publishable', deviceAttributes: ['appVersion', 'pushEnabled', 'appVersion'] },
    });
    expect(created.status).toBe(201);
    expect(created.body.deviceAttributes).toEqual(['appVersion', 'pushEnabled']);
    const secret = await api('POST', '/v1/keys', {
      key: t.adminKey,
      body: { name: 'server', kind: 'secret', deviceAttributes: ['appVersion'] },
    });
    expect(expectProblem(secret, 422).errors).toEqual([
      { path: 'deviceAttributes', message: 'Only publishable keys carry deviceAttributes.' },
    ]);
    const tooMany = await api('POST', '/v1/keys', {
      key: t.adminKey,
      body: { name: 'app', kind: 'publishable', deviceAttributes: Array.from({ length: 21 }, (_, i) => `a${i}`) },
    });
    expect(expectProblem(tooMany, 422).errors?.map((e) => e.path)).toEqual(['deviceAttributes']);
    const badName = await api('POST', '/v1/keys', {
      key: t.adminKey,
      body: { name: 'app', kind: 'publishable', deviceAttributes: ['attributes.appVersion'] },
    });
    expect(expectProblem(badName, 422).errors?.map((e) => e.path)).toEqual(['deviceAttributes[0]']);
    const list = await api('GET', '/v1/keys?limit=100', { key: t.adminKey });
    const byId = new Map(list.body.items.map((k: { id: string; deviceAttributes: string[] }) => [k.id, k.deviceAttributes]));
    expect(byId.get(created.body.id)).toEqual(['appVersion', 'pushEnabled']);
    // Every other key lists none.
    expect([...byId.entries()].filter(([id]) => id !== created.body.id).map(([, d]) => d)).toEqual([[], []]);
  });
});

describe('budget drain', () => {
  it('spends nothing on 120 invented shoppers with inline consent; the real customer still gets the offer', async () => {
    const t = await marketingTenant();
    const fence = await createFence(t.key, { geometry: circle(PLAZA, 200) });
    const c = await createCampaign(t.key, {
      geofenceIds: [fence.id],
      budget: { maxOffers: 100 },
      frequencyCap: { maxOffers: 1, perHours: 24 },
      holdoutPercent: 10,
    });
    const invented = Array.from({ length: 120 }, () => `x-${randomUUID()}`);
    // Even with a valid token for each invented id (the worst case: the tenant's server minted them), inline
    // consent cannot grant what no stored profile gave.
    const answers: Awaited<ReturnType<typeof requestOffers>>[] = [];
    await pool(invented, 8, async (id, i) => {
      answers[i] = await requestOffers(appPrincipal(t.id, id), {
        location: { ...PLAZA, accuracyM: 10 },
        profile: { consent: { ...CONSENT } },
      });
    });
    expect(answers.map((a) => [a.result, a.stored])).toEqual(
      invented.map(() => [{ offers: [], geofences: [], events: [] }, false]),
    );
    expect((await campaignStats(t.key, c.id)).budget).toEqual({ maxOffers: 100, used: 0, remaining: 100 });
    expect(await storedItems({ partitions: invented.slice(0, 10).map((id) => shopperPartition(t.id, id)) })).toEqual([]);

    // Over HTTP the attacker has one token, their own: another shopperId in the body is 403, and theirs gets nothing.
    const attacker = unique('attacker');
    const app = await asApp(t, await appKey(t), attacker);
    const other = await app.offers({ shopperId: invented[0], location: PLAZA, profile: { consent: { ...CONSENT } } });
    expect(expectProblem(other, 403).detail).toMatch(/Shopper-Token/);
    const own = await app.offers({ location: PLAZA, profile: { consent: { ...CONSENT } } });
    expect([own.status, own.body]).toEqual([200, { offers: [], geofences: [], events: [] }]);
    // Without a token an app's key gets nothing at all.
    const bare = await api('POST', '/v1/offers', {
      key: await appKey(t),
      body: { shopperId: invented[1], location: PLAZA, profile: { consent: { ...CONSENT } } },
    });
    expectProblem(bare, 401);
    expect((await campaignStats(t.key, c.id)).budget).toEqual({ maxOffers: 100, used: 0, remaining: 100 });

    // The real customer, whose consent the tenant's server stored (one not in the 10 % held out), gets the offer.
    const real = Array.from({ length: 20 }, () => unique('customer')).find((s) => !isHeldOut(c.id, s, 10))!;
    await putShopper(t.key, real);
    const theirs = await asApp(t, await appKey(t), real);
    const got = await theirs.offers({ location: PLAZA });
    expect(got.body.offers.map((o) => o.campaignId)).toEqual([c.id]);
    expect((await campaignStats(t.key, c.id)).budget).toEqual({ maxOffers: 100, used: 1, remaining: 99 });
  });
});

describe('shopper tokens on the offer path', () => {
  it('uses the token shopper when the body omits shopperId, and still requires it of a secret key', async () => {
    const t = await marketingTenant();
    const fence = await createFence(t.key, { geometry: circle(PLAZA, 200) });
    const c = await createCampaign(t.key, { geofenceIds: [fence.id] });
    const ana = unique('ana');
    await putShopper(t.key, ana);
    const app = await asApp(t, await appKey(t), ana);
    const got = await app.offers({ location: PLAZA });
    expect(got.body.offers.map((o) => o.campaignId)).toEqual([c.id]);
    const live = await api('GET', `/v1/shoppers/${ana}/offers`, { key: t.key });
    expect(live.body.items.map((o: { id: string; shopperId: string }) => [o.id, o.shopperId])).toEqual([
      [got.body.offers[0].id, ana],
    ]);
    // The same id in the body is fine; another one is 403.
    expect((await app.offers({ shopperId: ana, location: FAR })).status).toBe(200);
    expectProblem(await app.offers({ shopperId: `${ana}-other`, location: FAR }), 403);
    // A secret key names the shopper.
    const secret = await api('POST', '/v1/offers', { key: t.key, body: { location: PLAZA } });
    expect(expectProblem(secret, 422).errors).toEqual([{ path: 'shopperId', message: 'Required.' }]);
  });

  it('refuses in-process a publishable principal without a token shopper, and one for another shopper', async () => {
    const t = await marketingTenant();
    const tokenless: Principal = { ...appPrincipal(t.id, 'x'), shopperId: undefined };
    expect((await refusal(requestOffers(tokenless, { shopperId: 'ana', location: PLAZA }))).kind).toBe('unauthorized');
    expect((await refusal(requestOffers(appPrincipal(t.id, 'bob'), { shopperId: 'ana', location: PLAZA }))).kind).toBe(
      'forbidden',
    );
  });
});

describe('forged results', () => {
  it('refuses purchases from a publishable key with 403', async () => {
    const t = await marketingTenant();
    const fence = await createFence(t.key, { geometry: circle(PLAZA, 200) });
    const c = await createCampaign(t.key, { geofenceIds: [fence.id], holdoutPercent: 50 });
    const s = unique('buyer');
    const app = await asApp(t, await appKey(t), s);
    const forged = await Promise.all(
      Array.from({ length: 30 }, () => app.call('POST', '/v1/conversions', { shopperId: s, amount: 1000 })),
    );
    expect(forged.map((r) => r.status)).toEqual(Array(30).fill(403));
    expect(expectProblem(forged[0], 403).detail).toMatch(/publishable|scope/i);
    // In-process too: only a secret key records purchases.
    expect((await refusal(recordConversion(appPrincipal(t.id, s), { shopperId: s }))).kind).toBe('forbidden');
    const stats = await campaignStats(t.key, c.id);
    expect([stats.purchases, stats.revenue]).toEqual([
      { treatment: 0, holdout: 0 },
      { treatment: 0, holdout: 0 },
    ]);
  });

  it('refuses an amount of 1e9 (and negative or over-precise ones) with 422, on purchases and redemptions', async () => {
    const t = await marketingTenant();
    const fence = await createFence(t.key, { geometry: circle(PLAZA, 200) });
    const c = await createCampaign(t.key, { geofenceIds: [fence.id] });
    const s = unique('buyer');
    await putShopper(t.key, s);
    const [offer] = (await api<OfferResponse>('POST', '/v1/offers', { key: t.key, body: { shopperId: s, location: PLAZA } })).body
      .offers;
    expect(offer.campaignId).toBe(c.id);
    for (const amount of [1e9, 1_000_000.01, -5, 3.333]) {
      const conv = await api('POST', '/v1/conversions', { key: t.key, body: { shopperId: s, amount } });
      expect({ amount, errors: expectProblem(conv, 422).errors?.map((e) => e.path) }).toEqual({ amount, errors: ['amount'] });
      const red = await api('POST', `/v1/offers/${offer.id}/redeem`, { key: t.key, body: { amount } });
      expect({ amount, errors: expectProblem(red, 422).errors?.map((e) => e.path) }).toEqual({ amount, errors: ['amount'] });
    }
    // A non-finite number cannot even be parsed into one.
    const huge = await api('POST', '/v1/conversions', {
      key: t.key,
      rawBody: `{"shopperId":"${s}","amount":1e999}`,
      headers: { 'content-type': 'application/json' },
    });
    expect(expectProblem(huge, 422).errors?.map((e) => e.path)).toEqual(['amount']);
    // The maximum itself is accepted, and the revenue is exactly what was recorded.
    const max = await api('POST', '/v1/conversions', { key: t.key, body: { shopperId: s, amount: 1_000_000 } });
    expect(max.status).toBe(201);
    expect((await campaignStats(t.key, c.id)).revenue).toEqual({ treatment: 1_000_000, holdout: 0 });
    expect((await api('POST', `/v1/offers/${offer.id}/redeem`, { key: t.key, body: { amount: 999_999.99 } })).status).toBe(200);
  });

  it('tells an app nothing about who is held out: the same answer as no offer', async () => {
    const t = await marketingTenant();
    const fence = await createFence(t.key, { geometry: circle(PLAZA, 200) });
    const c = await createCampaign(t.key, { geofenceIds: [fence.id], holdoutPercent: 50, audience: PLATINUM_ONLY });
    const ids = Array.from({ length: 40 }, () => unique('h'));
    const held = ids.find((s) => isHeldOut(c.id, s, 50))!;
    const treated = ids.find((s) => !isHeldOut(c.id, s, 50))!;
    const notInAudience = unique('bronze');
    await putShopper(t.key, held, { loyaltyTier: 'platinum' });
    await putShopper(t.key, treated, { loyaltyTier: 'platinum' });
    await putShopper(t.key, notInAudience, { loyaltyTier: 'bronze' });
    const key = await appKey(t);
    const answer = async (s: string) => {
      const res = await (await asApp(t, key, s)).offers({ location: PLAZA });
      return { status: res.status, body: res.body, type: res.headers.get('content-type') };
    };
    const [heldOut, offered, noMatch] = [await answer(held), await answer(treated), await answer(notInAudience)];
    expect(offered.body.offers.map((o) => o.campaignId)).toEqual([c.id]);
    expect(heldOut).toEqual(noMatch);
    expect(heldOut.body).toEqual({ offers: [], geofences: [], events: [] });
    // The held-out shopper really was recorded on the holdout side (the test would pass vacuously otherwise).
    const exported = await api('GET', `/v1/shoppers/${held}/export`, { key: t.key });
    expect(exported.body.eligibility.map((e: { side: string }) => e.side)).toEqual(['holdout']);
  });
});

describe('redeem any offer', () => {
  it("answers 404 to an app redeeming another shopper's offer, whatever the amount; the owner's token redeems it", async () => {
    const t = await marketingTenant();
    const fence = await createFence(t.key, { geometry: circle(PLAZA, 200) });
    await createCampaign(t.key, { geofenceIds: [fence.id] });
    const victim = unique('victim');
    await putShopper(t.key, victim);
    const key = await appKey(t);
    const victimApp = await asApp(t, key, victim);
    const [offer] = (await victimApp.offers({ location: PLAZA })).body.offers;
    expect(offer.id).toMatch(/^of_/);

    const attacker = await asApp(t, key, unique('attacker'));
    const stolen = await attacker.redeem(offer.id, { amount: 1e9 });
    expectProblem(stolen, 422); // the amount is refused before anything is looked up
    const p = expectProblem(await attacker.redeem(offer.id, { amount: 10 }), 404);
    // Exactly what an unknown offer answers: nothing tells the attacker the id exists.
    const unknown = expectProblem(await attacker.redeem('of_00000000000000000000000000', {}), 404);
    expect([p.type, p.title, p.detail]).toEqual([unknown.type, unknown.title, unknown.detail]);
    expect((await api('GET', `/v1/shoppers/${victim}/offers`, { key: t.key })).body.items[0].status).toBe('active');
    // In-process, the same rule.
    expect((await refusal(redeem(appPrincipal(t.id, 'someone-else'), offer.id, {}))).kind).toBe('not_found');

    const own = await victimApp.redeem(offer.id, { amount: 4.5 });
    expect([own.status, own.body.status, own.body.shopperId]).toEqual([200, 'redeemed', victim]);
  });
});

describe('fence mapping', () => {
  it('lists no geofences to an app when there is no offer, and only the offered ones otherwise', async () => {
    const t = await marketingTenant();
    const bare = await createFence(t.key, { name: 'no campaign', geometry: circle(PLAZA, 300) });
    const offered = await createFence(t.key, { name: 'with campaign', geometry: circle(PLAZA, 200) });
    const far = await createFence(t.key, { name: 'far', geometry: circle(north(PLAZA, 5000), 200) });
    const c = await createCampaign(t.key, { geofenceIds: [offered.id, far.id], frequencyCap: { maxOffers: 1, perHours: 24 } });
    const s = unique('mapper');
    await putShopper(t.key, s);
    const app = await asApp(t, await appKey(t), s);

    // Only the fence without campaigns matches here: an app learns nothing.
    const edge = north(PLAZA, 250);
    const none = await app.offers({ location: edge });
    expect([none.status, none.body]).toEqual([200, { offers: [], geofences: [], events: [] }]);
    // Two fences match, one offers: only that one is listed.
    const one = await app.offers({ location: PLAZA });
    expect(one.body.offers.map((o) => [o.campaignId, o.geofenceId])).toEqual([[c.id, offered.id]]);
    expect(one.body.geofences).toEqual([offered.id]);
    // Capped now: the same place lists nothing.
    expect((await app.offers({ location: PLAZA })).body).toEqual({ offers: [], geofences: [], events: [] });

    // A secret key (the tenant's own server) still sees every matched fence.
    const server = await api<OfferResponse>('POST', '/v1/offers', { key: t.key, body: { shopperId: s, location: PLAZA } });
    expect([...server.body.geofences].sort()).toEqual([bare.id, offered.id].sort());
    const serverEdge = await api<OfferResponse>('POST', '/v1/offers', { key: t.key, body: { shopperId: s, location: edge } });
    expect(serverEdge.body.geofences).toEqual([bare.id]);
  });
});

describe('store-restricted keys', () => {
  it('answer 403 to PUT /v1/shoppers/alice with a store-limited key, and to every profile route', async () => {
    const t = await marketingTenant();
    const store = await createStore(t.key, { name: 'Gràcia', location: PLAZA });
    const other = await createStore(t.key, { name: 'Sants', location: FAR });
    const mine = await createFence(t.key, { storeId: store.id, geometry: circle(PLAZA, 200) });
    const theirs = await createFence(t.key, { storeId: other.id, geometry: circle(FAR, 200) });
    await createCampaign(t.key, { geofenceIds: [mine.id] });
    await createCampaign(t.key, { geofenceIds: [theirs.id] });
    const alice = unique('alice');
    await putShopper(t.key, alice, { firstName: 'Alice', loyaltyTier: 'gold' });
    const manager = (
      await newKey(t.adminKey, {
        kind: 'secret',
        scopes: ['shoppers:read', 'shoppers:write', 'offers:write', 'offers:redeem'],
        storeIds: [store.id],
      })
    ).key;

    const put = await api('PUT', `/v1/shoppers/${alice}`, {
      key: manager,
      body: { loyaltyTier: 'platinum', consent: { location: true, marketing: true } },
    });
    expect(expectProblem(put, 403).detail).toMatch(/whole tenant.*restricted to some stores/);
    // Withdrawing consent is a profile write too.
    const consent = await api('PUT', `/v1/shoppers/${alice}`, {
      key: manager,
      body: { consent: { location: false, marketing: false } },
    });
    expectProblem(consent, 403);
    expectProblem(await api('GET', `/v1/shoppers/${alice}`, { key: manager }), 403);
    expectProblem(await api('GET', `/v1/shoppers/${alice}/export`, { key: manager }), 403);
    expectProblem(await api('DELETE', `/v1/shoppers/${alice}`, { key: manager }), 403);
    // A shopper that does not exist gets the same answer (no probing).
    expectProblem(await api('GET', `/v1/shoppers/${unique('nobody')}`, { key: manager }), 403);
    // Alice's profile is untouched.
    const profile = await api('GET', `/v1/shoppers/${alice}`, { key: t.key });
    expect([profile.body.loyaltyTier, profile.body.consent]).toEqual(['gold', { location: true, marketing: true }]);

    // What a till needs: Alice's live offers at its own store (and only those), which it can redeem.
    const here = await api<OfferResponse>('POST', '/v1/offers', { key: t.key, body: { shopperId: alice, location: PLAZA } });
    const there = await api<OfferResponse>('POST', '/v1/offers', { key: t.key, body: { shopperId: alice, location: FAR } });
    expect([here.body.offers.length, there.body.offers.length]).toEqual([1, 1]);
    const listed = await api('GET', `/v1/shoppers/${alice}/offers`, { key: manager });
    expect(listed.status).toBe(200);
    expect(listed.body.items.map((o: { id: string }) => o.id)).toEqual([here.body.offers[0].id]);
    expect(listed.body.items[0]).not.toHaveProperty('firstName');
    expect((await api('POST', `/v1/offers/${here.body.offers[0].id}/redeem`, { key: manager, body: {} })).status).toBe(200);
    expectProblem(await api('POST', `/v1/offers/${there.body.offers[0].id}/redeem`, { key: manager, body: {} }), 403);
  });
});

describe('fleet starvation', () => {
  it("keeps serving the app's other users while one client hammers the shared key (key limit 50/s)", async () => {
    const t = await marketingTenant();
    const key = await appKey(t, { rateLimit: { rps: 50, burst: 50 } });
    const hammer = await asApp(t, key, 'hammer');
    const others = await Promise.all(['u1', 'u2', 'u3', 'u4', 'u5'].map((s) => asApp(t, key, s)));
    const ask = (app: Awaited<ReturnType<typeof asApp>>, shopperId: string) =>
      app.offers({ shopperId, location: { ...FAR, accuracyM: 10 } });
    // 120 requests of one client at once, and each of the 5 other users asking meanwhile (4 each, within their burst).
    const [flood, served] = await Promise.all([
      Promise.all(Array.from({ length: 120 }, () => ask(hammer, 'hammer'))),
      Promise.all(others.map((app, i) => Promise.all(Array.from({ length: 4 }, () => ask(app, `u${i + 1}`))))),
    ]);
    // The hammering client gets its own burst, then 429 naming its shopper; it spends nothing of the key's limit.
    const admitted = flood.filter((r) => r.status === 200).length;
    expect(admitted).toBeGreaterThanOrEqual(5);
    expect(admitted).toBeLessThanOrEqual(7);
    for (const r of flood.filter((x) => x.status !== 200)) expect(expectProblem(r, 429).detail).toMatch(/this shopper/);
    expect(served.flat().map((r) => r.status)).toEqual(Array(20).fill(200));
  });

  it('reads a forged key (valid checksum) once, and limits a source that sends many', async () => {
    const forged = generateKey('publishable').key;
    for (let i = 0; i < 2; i++)
      expect(expectProblem(await api('POST', '/v1/offers', { key: forged, body: {} }), 401).detail).toBe('Unknown API key.');
    // A flood of fresh forged keys from one address of its own (127.0.0.2, so that the other test files, all from
    // 127.0.0.1, keep their budget): past the per-source burst, 429 with Retry-After.
    const flood = await Promise.all(
      Array.from({ length: UNKNOWN_KEY_SOURCE_LIMIT.burst + 20 }, () =>
        postFrom('127.0.0.2', '/v1/offers', generateKey('publishable').key),
      ),
    );
    const limited = flood.filter((r) => r.status === 429);
    expect(limited.length).toBeGreaterThanOrEqual(20);
    for (const r of limited) expect(Number(r.retryAfter)).toBeGreaterThanOrEqual(1);
    expect(flood.every((r) => r.status === 401 || r.status === 429)).toBe(true);
    // This address is not limited by that one.
    expectProblem(await api('POST', '/v1/offers', { key: generateKey('publishable').key, body: {} }), 401);
  });
});

/** POST `{}` to the local API with `key`, from the given local address (another loopback address is another source). */
function postFrom(localAddress: string, path: string, key: string): Promise<{ status: number; retryAfter?: string }> {
  const url = new URL(path, apiUrl());
  return new Promise((resolve, reject) => {
    const req = http.request(
      url,
      { method: 'POST', localAddress, headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' } },
      (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode ?? 0, retryAfter: res.headers['retry-after'] as string }));
      },
    );
    req.on('error', reject);
    req.end('{}');
  });
}

describe('fuzzing findings: names of Object.prototype in headers and query strings', () => {
  const NAMES = ['__proto__', 'constructor', 'toString', 'valueOf', 'hasOwnProperty', '__defineGetter__'];

  it('are plain data: headers are ignored, unknown query parameters are 422, never a 5xx', async () => {
    const t = await marketingTenant();
    const key = await appKey(t);
    const headers = Object.fromEntries(NAMES.map((n) => [n, 'x']));
    const list = await api('GET', '/v1/keys', { key: t.adminKey, headers });
    expect(list.status).toBe(200);
    expect(list.body.items.length).toBeGreaterThanOrEqual(2);
    const app200 = await api('POST', '/v1/offers', {
      key,
      body: { shopperId: 'ana', location: { ...PLAZA, accuracyM: 10 } },
      headers: { ...headers, 'shopper-token': await shopperToken(t, 'ana') },
    });
    expect(app200.status).toBe(200);
    for (const n of NAMES) {
      const q = `${encodeURIComponent(n)}=1`;
      const keys = expectProblem(await api('GET', `/v1/keys?${q}`, { key: t.adminKey, headers }), 422);
      expect(keys.errors).toEqual([{ path: expect.any(String), message: `Unknown field(s): ${n}` }]);
      expectProblem(await api('GET', `/v1/nowhere?${q}`, { headers }), 404);
      expectProblem(await api('GET', `/v1/shopper-token-keys?${q}`, { headers }), 401);
      const health = await api('GET', `/health?${q}`, { headers });
      expect(health.status).toBe(200);
    }
  });
});

describe('a publishable key on a route it may not call', () => {
  it('gets 401 without a valid token, as on its own routes, and 403 with one', async () => {
    const t = await marketingTenant();
    const key = await appKey(t);
    const good = { 'shopper-token': await shopperToken(t, 'ana') };
    for (const [headers, status] of [
      [good, 403],
      [{ 'shopper-token': 'not.a.token' }, 401],
      [{}, 401],
    ] as const) {
      expectProblem(await api('GET', '/v1/campaigns', { key, headers }), status);
      expectProblem(await api('GET', '/v1/shoppers/ana', { key, headers }), status);
      expectProblem(await api('POST', '/v1/conversions', { key, headers, body: {} }), status);
    }
  });
});
