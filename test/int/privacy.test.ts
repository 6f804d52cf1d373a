import { describe, expect, it } from 'vitest';
import { hashKey } from '../../shared/auth/apikey.js';
import { getApiKeyByHash } from '../../shared/store/apikeys.js';
import { campaignStatsPartition } from '../../shared/store/counters.js';
import { idempotencyPartition } from '../../shared/store/idempotency.js';
import { offerPointerKey } from '../../shared/store/offers.js';
import { shopperPartition, tenantPartition } from '../../shared/store/keys.js';
import { api, expectProblem, newKey, newTenant, unique } from '../support/api.js';
import { consentingShopper, storeFenceCampaign } from '../support/marketing-fixtures.js';
import { storedItems } from '../support/principal.js';

const spot = { lat: 43.26271234, lng: -2.93497654 };

describe('shopper privacy', () => {
  it('exports every item held about a shopper, erases all of it, and never stores raw coordinates', async () => {
    const t = await newTenant();
    const { campaignId } = await storeFenceCampaign(
      t.adminKey,
      { lat: 43.2627, lng: -2.935 },
      { frequencyCap: { maxOffers: 2, perHours: 24 } },
    );
    const shopper = unique('erase-me');
    await consentingShopper(t.adminKey, shopper, { firstName: 'Miren' });
    const headers = { 'idempotency-key': unique('idem') };
    // The setup's own idempotency records (its calls are sent with keys): not about the shopper.
    const idemPk = idempotencyPartition(t.id, (await getApiKeyByHash(hashKey(t.adminKey)))!.id);
    const setupRecords = new Set((await storedItems({ partitions: [idemPk] })).map((i) => String(i.sk)));
    const aboutShopper = (i: Record<string, unknown>) => i.pk === idemPk && !setupRecords.has(String(i.sk));
    const body = { shopperId: shopper, location: { ...spot, accuracyM: 15 } };
    const first = await api('POST', '/v1/offers', { key: t.adminKey, body, headers });
    expect(first.body.offers).toHaveLength(1);
    // The offer is counted off the request path (its distinct-shopper markers and counters): wait until it is.
    await expect
      .poll(() => api('GET', `/v1/campaigns/${campaignId}/stats`, { key: t.adminKey }).then((r) => r.body.offered), {
        timeout: 10_000,
      })
      .toBe(1);
    expect((await api('POST', `/v1/offers/${first.body.offers[0].id}/redeem`, { key: t.adminKey, body: {} })).status).toBe(200);
    expect((await api('POST', '/v1/conversions', { key: t.adminKey, body: { shopperId: shopper, amount: 20 } })).status).toBe(
      201,
    );

    const exported = await api('GET', `/v1/shoppers/${shopper}/export`, { key: t.adminKey });
    expect(exported.status).toBe(200);
    expect(exported.body.profile).toMatchObject({ firstName: 'Miren', consent: { location: true, marketing: true } });
    expect(exported.body.offers).toHaveLength(1);
    expect(exported.body.offers[0]).toMatchObject({ campaignId, status: 'redeemed', title: 'Hello Miren' });
    expect(exported.body.eligibility).toEqual([expect.objectContaining({ campaignId, side: 'treatment' })]);
    expect(exported.body.conversions).toEqual([expect.objectContaining({ amount: 20 })]);
    expect(exported.body.frequencyCaps).toHaveLength(1);
    expect(exported.body.location).toEqual([expect.objectContaining({ cell: expect.stringMatching(/^88[0-9a-f]{13}$/) })]);
    expect(exported.body.statsMarkers.length).toBeGreaterThan(0);
    expect(exported.body.idempotencyRecords).toHaveLength(1);

    // Every partition this shopper's data can live in: their own, the tenant's, the offer's id pointer,
    // the campaign's counters and the idempotency records of the calling key.
    const offerId = first.body.offers[0].id;
    const touched = () =>
      storedItems({
        partitions: [shopperPartition(t.id, shopper), tenantPartition(t.id), campaignStatsPartition(t.id, campaignId), idemPk],
        keys: [offerPointerKey(t.id, offerId)],
      });
    const held = await touched();
    expect(held.find((i) => i.pk === offerPointerKey(t.id, offerId).pk)).toMatchObject({ shopperId: shopper });
    expect(held.filter(aboutShopper)).toHaveLength(1);
    expect(held.filter((i) => i.pk === campaignStatsPartition(t.id, campaignId)).length).toBeGreaterThan(0);

    // raw coordinates are nowhere: not in the table, not in the export
    const before = JSON.stringify(held);
    expect(before).toContain(shopper);
    for (const v of [String(spot.lat), String(spot.lng), '43.2627123', '-2.9349765']) {
      expect(before).not.toContain(v);
      expect(JSON.stringify(exported.body)).not.toContain(v);
    }

    expect((await api('DELETE', `/v1/shoppers/${shopper}`, { key: t.adminKey })).status).toBe(204);
    const left = await touched();
    expect(JSON.stringify(left)).not.toContain(shopper);
    expect(
      left.filter(
        (i) => i.pk === shopperPartition(t.id, shopper) || aboutShopper(i) || i.pk === offerPointerKey(t.id, offerId).pk,
      ),
    ).toEqual([]);
    expectProblem(await api('GET', `/v1/shoppers/${shopper}`, { key: t.adminKey }), 404);
    const after = await api('GET', `/v1/shoppers/${shopper}/export`, { key: t.adminKey });
    expect(after.body).toMatchObject({
      profile: null,
      offers: [],
      eligibility: [],
      conversions: [],
      location: [],
      statsMarkers: [],
    });
    expectProblem(await api('POST', `/v1/offers/${offerId}/redeem`, { key: t.adminKey, body: {} }), 404);
    // the idempotency record went too: the same key is not replayed (and, with no consent left, nothing is offered)
    const again = await api('POST', '/v1/offers', { key: t.adminKey, body, headers });
    expect(again.status).toBe(200);
    expect(again.headers.get('idempotent-replayed')).toBeNull();
    expect(again.body).toEqual({ offers: [], geofences: [], events: [] });
    // aggregate stats remain, without the shopper
    const stats = await api('GET', `/v1/campaigns/${campaignId}/stats`, { key: t.adminKey });
    expect(stats.body).toMatchObject({ offered: 1, redeemed: 1, conversions: { treatment: 1, holdout: 0 } });
  });

  it("keeps another tenant out of a shopper's data", async () => {
    const a = await newTenant();
    const b = await newTenant();
    const shopper = unique('s');
    await consentingShopper(a.adminKey, shopper, { firstName: 'Jon' });
    expectProblem(await api('GET', `/v1/shoppers/${shopper}`, { key: b.adminKey }), 404);
    const exported = await api('GET', `/v1/shoppers/${shopper}/export`, { key: b.adminKey });
    expect(exported.body.profile).toBeNull();
    expect((await api('DELETE', `/v1/shoppers/${shopper}`, { key: b.adminKey })).status).toBe(204);
    expect((await api('GET', `/v1/shoppers/${shopper}`, { key: a.adminKey })).body.firstName).toBe('Jon');
  });

  it('lets an app report only a recent instant in `at`', async () => {
    const t = await newTenant();
    const app = await newKey(t.adminKey, { kind: 'publishable' });
    const shopperId = unique('s');
    const res = await api('POST', '/v1/offers', {
      key: app.key,
      shopper: shopperId,
      body: {
        shopperId,
        location: spot,
        at: '2020-01-01T10:00:00Z',
        profile: { consent: { location: true, marketing: true } },
      },
    });
    expect(expectProblem(res, 422).errors).toEqual([{ path: 'at', message: expect.stringContaining('10 minutes') }]);
    const ok = await api('POST', '/v1/offers', {
      key: app.key,
      shopper: shopperId,
      body: {
        shopperId,
        location: spot,
        at: new Date().toISOString(),
        profile: { consent: { location: true, marketing: true } },
      },
    });
    expect(ok.status).toBe(200);
  });

  it('erases the idempotency record of a request about the shopper that was refused (4xx), not only of those that succeeded', async () => {
    const t = await newTenant();
    const shopper = unique('refused');
    await consentingShopper(t.adminKey, shopper);
    const keyId = (await getApiKeyByHash(hashKey(t.adminKey)))!.id;
    const idemKey = unique('idem-refused');
    // Refused in the service (no such store), after the key was claimed: the problem is kept for replay.
    const body = { shopperId: shopper, amount: 5, storeId: 'st_nosuchstore' };
    const headers = { 'idempotency-key': idemKey };
    expectProblem(await api('POST', '/v1/conversions', { key: t.adminKey, body, headers }), 422);
    const record = async () =>
      (await storedItems({ partitions: [idempotencyPartition(t.id, keyId)] })).filter((i) => String(i.sk).includes(idemKey));
    expect(await record()).toHaveLength(1);
    const exported = await api('GET', `/v1/shoppers/${shopper}/export`, { key: t.adminKey });
    expect(exported.body.idempotencyRecords).toEqual([{ keyId, idempotencyKey: idemKey }]);
    expect((await api('DELETE', `/v1/shoppers/${shopper}`, { key: t.adminKey })).status).toBe(204);
    expect(await record()).toEqual([]);
  });
});
