import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { getDdb } from '../../shared/platform/clients.js';
import { isHeldOut } from '../../shared/domain/targeting/index.js';
import { offerKey } from '../../shared/store/offers.js';
import { api, expectProblem, newKey, newTenant, unique } from '../support/api.js';
import { consentingShopper, offersFor, storeFenceCampaign } from '../support/marketing-fixtures.js';
import { pool } from '../support/principal.js';

const placeA = { lat: 37.3891, lng: -5.9845 };
const placeB = { lat: 37.4, lng: -5.95 };

describe('redemption', () => {
  it('redeems once: 200, then 409; another tenant gets 404', async () => {
    const t = await newTenant();
    const { campaignId, storeId } = await storeFenceCampaign(t.adminKey, placeA);
    const s = unique('s');
    await consentingShopper(t.adminKey, s);
    const [offer] = (await offersFor(t.adminKey, s, placeA)).offers;
    const app = await newKey(t.adminKey, { kind: 'publishable' });
    const first = await api('POST', `/v1/offers/${offer.id}/redeem`, { key: app.key, shopper: s, body: { amount: 12.5 } });
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ id: offer.id, status: 'redeemed', campaignId, storeId });
    expect(first.body.redeemedAt).toEqual(expect.any(String));
    expect(
      expectProblem(await api('POST', `/v1/offers/${offer.id}/redeem`, { key: app.key, shopper: s, body: {} }), 409).type,
    ).toMatch(/already-redeemed/);
    const other = await newTenant();
    expectProblem(await api('POST', `/v1/offers/${offer.id}/redeem`, { key: other.adminKey, body: {} }), 404);
    expectProblem(await api('POST', '/v1/offers/of_nope/redeem', { key: app.key, shopper: s, body: {} }), 404);
    // redeemed offers are no longer live
    const live = await api('GET', `/v1/shoppers/${s}/offers`, { key: t.adminKey });
    expect(live.body.items).toEqual([]);
  });

  it('answers 410 once the offer has expired', async () => {
    const t = await newTenant();
    await storeFenceCampaign(t.adminKey, placeA);
    const s = unique('s');
    await consentingShopper(t.adminKey, s);
    const [offer] = (await offersFor(t.adminKey, s, placeA)).offers;
    // Age the stored offer past its expiry (time passing), then redeem.
    await getDdb().send(
      new UpdateCommand({
        TableName: process.env.TABLE_NAME,
        Key: offerKey(t.id, s, offer.id),
        UpdateExpression: 'SET expiresAt = :past',
        ExpressionAttributeValues: { ':past': new Date(Date.now() - 1000).toISOString() },
      }),
    );
    const p = expectProblem(await api('POST', `/v1/offers/${offer.id}/redeem`, { key: t.adminKey, body: {} }), 410);
    expect(p.detail).toMatch(/expired/);
  });

  it('lets a store-restricted key redeem only at its own stores', async () => {
    const t = await newTenant();
    const a = await storeFenceCampaign(t.adminKey, placeA);
    const b = await storeFenceCampaign(t.adminKey, placeB);
    const s = unique('s');
    await consentingShopper(t.adminKey, s);
    const [offer] = (await offersFor(t.adminKey, s, placeA)).offers;
    const till = await newKey(t.adminKey, { kind: 'secret', scopes: ['offers:redeem'], storeIds: [b.storeId] });
    expectProblem(await api('POST', `/v1/offers/${offer.id}/redeem`, { key: till.key, body: {} }), 403);
    expectProblem(await api('POST', `/v1/offers/${offer.id}/redeem`, { key: till.key, body: { storeId: a.storeId } }), 403);
    const ok = await api('POST', `/v1/offers/${offer.id}/redeem`, { key: till.key, body: { storeId: b.storeId } });
    expect(ok.status).toBe(200);
  });
});

describe('campaign stats', () => {
  it('match a synthetic population exactly: offered, held out, conversions on each side, lift, suppression', async () => {
    const t = await newTenant();
    const fast = await newKey(t.adminKey, { kind: 'secret', rateLimit: { rps: 2000, burst: 4000 } });
    const key = fast.key;
    const { campaignId, geofenceId: fenceA } = await storeFenceCampaign(key, placeA, { holdoutPercent: 50 });
    // a second fence of the same campaign, visited by only a few shoppers
    const fenceB = await api('POST', '/v1/geofences', {
      key,
      body: { name: 'B', geometry: { type: 'Circle', coordinates: [placeB.lng, placeB.lat], radiusM: 200 } },
    });
    await api('PATCH', `/v1/campaigns/${campaignId}`, { key, body: { geofenceIds: [fenceA, fenceB.body.id] } });

    const shoppers = Array.from({ length: 80 }, (_, i) => `${unique('pop')}-${i}`);
    const held = shoppers.filter((s) => isHeldOut(campaignId, s, 50));
    const treated = shoppers.filter((s) => !isHeldOut(campaignId, s, 50));
    expect(held.length).toBeGreaterThan(10);
    expect(treated.length).toBeGreaterThan(14);
    const atB = new Set(treated.slice(0, 4)); // 4 treated shoppers at fence B (< k = 10)
    const offerOf = new Map<string, string>();
    await pool(shoppers, 10, async (s) => {
      await consentingShopper(key, s);
      const res = await offersFor(key, s, atB.has(s) ? placeB : placeA);
      if (res.offers[0]) offerOf.set(s, res.offers[0].id);
    });
    expect([...offerOf.keys()].sort()).toEqual([...treated].sort());

    // redemptions: 3 treated shoppers at A redeem
    const redeemers = treated.filter((s) => !atB.has(s)).slice(0, 3);
    for (const s of redeemers)
      expect((await api('POST', `/v1/offers/${offerOf.get(s)}/redeem`, { key, body: {} })).status).toBe(200);

    // conversions: 6 treated shoppers (one buys twice), 2 held-out shoppers
    const convT = treated.slice(0, 6);
    const convH = held.slice(0, 2);
    for (const s of [...convT, convT[0], ...convH]) {
      const res = await api('POST', '/v1/conversions', { key, body: { shopperId: s, amount: 10 } });
      expect(res.status).toBe(201);
      expect(res.body.attributedTo).toEqual([{ campaignId, side: held.includes(s) ? 'holdout' : 'treatment' }]);
    }
    // a purchase by someone never eligible is attributed to nothing
    const stranger = await api('POST', '/v1/conversions', { key, body: { shopperId: unique('nobody'), amount: 5 } });
    expect(stranger.body.attributedTo).toEqual([]);

    // Offers and held-out records are counted off the request path, within about a second.
    await expect
      .poll(
        () =>
          api('GET', `/v1/campaigns/${campaignId}/stats`, { key }).then((r) => ({
            eligible: r.body.eligible,
            offered: r.body.offered,
            heldOut: r.body.heldOut,
          })),
        { timeout: 10_000 },
      )
      .toEqual({ eligible: shoppers.length, offered: treated.length, heldOut: held.length });
    const stats = await api('GET', `/v1/campaigns/${campaignId}/stats`, { key });
    expect(stats.status).toBe(200);
    const tRate = convT.length / treated.length;
    const hRate = convH.length / held.length;
    expect(stats.body).toMatchObject({
      eligible: shoppers.length,
      offered: treated.length,
      heldOut: held.length,
      redeemed: 3,
      conversions: { treatment: 6, holdout: 2 },
      purchases: { treatment: 7, holdout: 2 },
      budget: null,
    });
    expect(stats.body.conversionRate.treatment).toBeCloseTo(tRate, 12);
    expect(stats.body.conversionRate.holdout).toBeCloseTo(hRate, 12);
    expect(stats.body.lift).toBeCloseTo((tRate - hRate) / hRate, 12);
    const today = new Date().toISOString().slice(0, 10);
    expect(stats.body.byDay).toEqual([{ date: today, offered: treated.length, redeemed: 3, suppressed: false }]);
    const byFence = Object.fromEntries(stats.body.byGeofence.map((r: { geofenceId: string }) => [r.geofenceId, r]));
    expect(byFence[fenceA]).toEqual({ geofenceId: fenceA, offered: treated.length - 4, redeemed: 3, suppressed: false });
    expect(byFence[fenceB.body.id]).toEqual({ geofenceId: fenceB.body.id, offered: null, redeemed: null, suppressed: true });
  }, 120_000);

  it('reports lift as null when nobody in the holdout converted, and budget usage', async () => {
    const t = await newTenant();
    const { campaignId } = await storeFenceCampaign(t.adminKey, placeA, { budget: { maxOffers: 3 } });
    for (let i = 0; i < 4; i++) {
      const s = unique('s');
      await consentingShopper(t.adminKey, s);
      await offersFor(t.adminKey, s, placeA);
    }
    // The budget (its shards) is exact at once; offers are counted off the request path, within about a second.
    const spent = await api('GET', `/v1/campaigns/${campaignId}/stats`, { key: t.adminKey });
    expect(spent.body.budget).toEqual({ maxOffers: 3, used: 3, remaining: 0 });
    await expect
      .poll(() => api('GET', `/v1/campaigns/${campaignId}/stats`, { key: t.adminKey }).then((r) => r.body.offered), {
        timeout: 10_000,
      })
      .toBe(3);
    const stats = await api('GET', `/v1/campaigns/${campaignId}/stats`, { key: t.adminKey });
    expect(stats.body).toMatchObject({ offered: 3, heldOut: 0, lift: null, budget: { maxOffers: 3, used: 3, remaining: 0 } });
    expect(stats.body.conversionRate).toEqual({ treatment: 0, holdout: null });
  });

  it("answers 404 for another tenant's campaign", async () => {
    const t = await newTenant();
    const { campaignId } = await storeFenceCampaign(t.adminKey, placeA);
    const other = await newTenant();
    expectProblem(await api('GET', `/v1/campaigns/${campaignId}/stats`, { key: other.adminKey }), 404);
  });
});
