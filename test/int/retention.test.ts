import { beforeAll, describe, expect, it } from 'vitest';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { getDdb } from '../../shared/platform/clients.js';
import { requestOffers } from '../../shared/services/offers.js';
import { exportShopper, getShopper, listShopperOffers } from '../../shared/services/shoppers.js';
import { getOfferDelivery } from '../../shared/services/webhook.js';
import { listEligibility } from '../../shared/store/eligibility.js';
import { shopperPartition } from '../../shared/store/keys.js';
import { offerKey } from '../../shared/store/offers.js';
import { markConverterSeen } from '../../shared/store/seen-markers.js';
import { getTenantSettings } from '../../shared/store/settings.js';
import { getVisitEvent } from '../../shared/store/visit-events.js';
import { getVisits } from '../../shared/store/visits.js';
import { api, expectProblem, newKey, newTenant, setupCall, unique } from '../support/api.js';
import { createStore, eventually } from '../support/marketing.js';
import { consentingShopper, storeFenceCampaign } from '../support/marketing-fixtures.js';
import { adminPrincipal, storedItems } from '../support/principal.js';

const DAY_S = 86_400;
const DEFAULTS = { profileDays: 730, offersDays: 30, visitsDays: 7, locationDays: 30 };
/** The days each kind's TTL is written with (PRIVACY.md's data map). */
const WRITTEN_DAYS = { profile: 730, conversion: 400, marker: 400, eligibility: 8, visits: 7, visitEvent: 7, location: 30 };

const settingsOf = async (key: string) => {
  const res = await api('GET', '/v1/settings', { key });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body;
};
const patch = (key: string, body: unknown) => api('PATCH', '/v1/settings', { key, body });

/** One second either side of an epoch second, as a clock in milliseconds. */
const justBefore = (s: number) => (s - 1) * 1000;
const justAfter = (s: number) => (s + 1) * 1000;

describe('GET|PATCH /v1/settings', () => {
  it('answers the defaults for a tenant that never set any, and changes only the knobs sent', async () => {
    const t = await newTenant();
    expect(await settingsOf(t.adminKey)).toEqual({ retention: DEFAULTS });
    const res = await patch(t.adminKey, { retention: { offersDays: 5 } });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toEqual({ retention: { ...DEFAULTS, offersDays: 5 } });
    expect((await patch(t.adminKey, { retention: { visitsDays: 2, locationDays: 10 } })).body).toEqual({
      retention: { ...DEFAULTS, offersDays: 5, visitsDays: 2, locationDays: 10 },
    });
    expect(await settingsOf(t.adminKey)).toEqual({ retention: { ...DEFAULTS, offersDays: 5, visitsDays: 2, locationDays: 10 } });
    // Back to a default is a value like any other.
    expect((await patch(t.adminKey, { retention: { offersDays: 30 } })).body.retention.offersDays).toBe(30);
  });

  it('refuses values outside the contract, unknown fields and non-integers with 422 naming the field, and keeps the settings', async () => {
    const t = await newTenant();
    const cases: [unknown, string][] = [
      [{ retention: { profileDays: 29 } }, 'retention.profileDays'],
      [{ retention: { profileDays: 731 } }, 'retention.profileDays'],
      [{ retention: { offersDays: 0 } }, 'retention.offersDays'],
      [{ retention: { offersDays: 91 } }, 'retention.offersDays'],
      [{ retention: { visitsDays: 31 } }, 'retention.visitsDays'],
      [{ retention: { locationDays: 0 } }, 'retention.locationDays'],
      [{ retention: { offersDays: 1.5 } }, 'retention.offersDays'],
      [{ retention: { offersDays: '3' } }, 'retention.offersDays'],
      [{ retention: { eventsDays: 3 } }, 'retention'],
      [{ retention: { offersDays: 3 }, other: true }, '(root)'],
      [{}, 'retention'],
    ];
    for (const [body, path] of cases) {
      const p = expectProblem(await patch(t.adminKey, body), 422);
      expect(
        p.errors?.some((e) => e.path === path),
        JSON.stringify([body, p.errors]),
      ).toBe(true);
    }
    expect(await settingsOf(t.adminKey)).toEqual({ retention: DEFAULTS });
  });

  it('keeps every knob of concurrent PATCHes of different knobs (none undoes another)', async () => {
    const t = await newTenant();
    const sent = [{ profileDays: 100 }, { offersDays: 3 }, { visitsDays: 4 }, { locationDays: 5 }];
    const answers = await Promise.all(sent.map((r) => patch(t.adminKey, { retention: r })));
    for (const a of answers) expect([200, 503], JSON.stringify(a.body)).toContain(a.status);
    // A PATCH that lost every try is a 503 with nothing written: sent again, it sticks.
    for (const [i, a] of answers.entries())
      if (a.status === 503) expect((await patch(t.adminKey, { retention: sent[i] })).status).toBe(200);
    expect(await settingsOf(t.adminKey)).toEqual({
      retention: { profileDays: 100, offersDays: 3, visitsDays: 4, locationDays: 5 },
    });
  });

  it('needs settings:write and a tenant-wide key (403), and is tenant-isolated', async () => {
    const t = await newTenant();
    const store = await createStore(t.adminKey, { name: unique('store'), location: { lat: 43.26, lng: -2.93 } });
    const restricted = await newKey(t.adminKey, { kind: 'secret', scopes: ['settings:write'], storeIds: [store.id] });
    const reader = await newKey(t.adminKey, { kind: 'secret', scopes: ['shoppers:read', 'shoppers:write', 'keys:write'] });
    for (const key of [restricted.key, reader.key]) {
      expectProblem(await api('GET', '/v1/settings', { key }), 403);
      expectProblem(await patch(key, { retention: { offersDays: 2 } }), 403);
    }
    expectProblem(await api('GET', '/v1/settings'), 401);
    expect(await settingsOf(t.adminKey)).toEqual({ retention: DEFAULTS });
    // Another tenant's change is not this tenant's.
    const other = await newTenant();
    expect((await patch(other.adminKey, { retention: { offersDays: 2, profileDays: 30 } })).status).toBe(200);
    expect(await settingsOf(t.adminKey)).toEqual({ retention: DEFAULTS });
  });

  it('records each change as settings.update with the key and request id (never the values), and a read not at all', async () => {
    const t = await newTenant();
    const worker = await newKey(t.adminKey, { kind: 'secret', scopes: ['settings:write'] });
    const requestId = unique('rid-settings');
    const res = await api('PATCH', '/v1/settings', {
      key: worker.key,
      body: { retention: { locationDays: 13 } },
      headers: { 'x-request-id': requestId },
    });
    expect(res.status).toBe(200);
    await settingsOf(worker.key);
    expectProblem(await patch(worker.key, { retention: { locationDays: 99 } }), 422);
    const audit = await api('GET', '/v1/audit?limit=100', { key: t.adminKey });
    const entries = audit.body.items.filter((e: { action: string }) => e.action.startsWith('settings.'));
    expect(entries).toEqual([
      {
        at: expect.any(String),
        keyId: worker.id,
        action: 'settings.update',
        resource: 'settings',
        resourceId: 'settings',
        requestId,
      },
    ]);
    expect(JSON.stringify(audit.body.items)).not.toMatch(/retention|locationDays/);
    const other = await newTenant();
    const theirs = await api('GET', '/v1/audit?limit=100', { key: other.adminKey });
    expect(theirs.body.items.filter((e: { requestId: string }) => e.requestId === requestId)).toEqual([]);
  });
});

describe('retention on every shopper read path (moved clock)', () => {
  const spot = { lat: 40.4168, lng: -3.7038 };
  const shopperId = unique('kept');
  let t: { id: string; adminKey: string };
  let offerId: string;
  let eventId: string;
  /** Raw items of the shopper's partition, by what they are. */
  let raw: Record<string, Record<string, unknown>[]>;
  const retention = { profileDays: 30, offersDays: 2, visitsDays: 1, locationDays: 3 };
  const p = () => adminPrincipal(t.id);

  beforeAll(async () => {
    t = await newTenant();
    // An entry campaign (visit state and an `entered` event with the offer), valid 3 days (longer than offersDays).
    await storeFenceCampaign(t.adminKey, spot, {
      trigger: 'enter',
      offer: { title: 'Hi', body: 'Welcome', validForMinutes: 3 * 24 * 60 },
    });
    await consentingShopper(t.adminKey, shopperId, { firstName: 'Ane' });
    const res = await setupCall('POST', '/v1/offers', {
      key: t.adminKey,
      body: { shopperId, location: { ...spot, accuracyM: 10 } },
    });
    expect(res.body.offers).toHaveLength(1);
    expect(res.body.events.map((e: { type: string }) => e.type)).toEqual(['geofence.entered']);
    offerId = res.body.offers[0].id;
    expect(
      (await api('POST', '/v1/conversions', { key: t.adminKey, body: { shopperId, amount: 12 } })).body.attributedTo,
    ).toHaveLength(1);
    // The outbox counts the offer off the request path: its distinct-shopper markers appear when it has.
    const markers = async () =>
      (await storedItems({ partitions: [shopperPartition(t.id, shopperId)] })).filter((i) => String(i.sk).startsWith('SEEN#'));
    // T, D#<day>, G#<fence> from the outbox and CT from the conversion.
    expect(await eventually(async () => (await markers()).length >= 4, 15_000)).toBe(true);
    const items = await storedItems({ partitions: [shopperPartition(t.id, shopperId)] });
    const by = (prefix: string) => items.filter((i) => String(i.sk).startsWith(prefix));
    raw = {
      profile: by('PROFILE'),
      offer: by('OFFER#'),
      eligibility: by('ELIG#'),
      conversion: by('CONV#'),
      marker: by('SEEN#'),
      visits: by('VISITS'),
      visitEvent: by('VEVT#'),
      location: by('LOC'),
    };
    for (const [kind, list] of Object.entries(raw)) expect(list.length, kind).toBeGreaterThan(0);
    eventId = String(raw.visitEvent[0].id);
    expect((await patch(t.adminKey, { retention })).status).toBe(200);
  }, 120_000);

  /** The epoch second a write-anchored item stops being kept under `days`: its TTL minus the days it was written with, plus days. */
  const fromWrite = (item: Record<string, unknown>, writtenDays: number, days: number) =>
    Number(item.ttl) - writtenDays * DAY_S + days * DAY_S;

  it('profile: GET /v1/shoppers/{id}, the offer path and the export see it 1 s before profileDays, not 1 s after', async () => {
    const until = fromWrite(raw.profile[0], WRITTEN_DAYS.profile, retention.profileDays);
    expect((await getShopper(p(), shopperId, justBefore(until))).firstName).toBe('Ane');
    await expect(getShopper(p(), shopperId, justAfter(until))).rejects.toMatchObject({ kind: 'not_found' });
    expect((await exportShopper(p(), shopperId, justBefore(until))).profile).toMatchObject({ firstName: 'Ane' });
    expect((await exportShopper(p(), shopperId, justAfter(until))).profile).toBeNull();
    // The offer path: past retention the profile (and its consent) is gone, so nothing is offered or stored.
    const after = await requestOffers(
      p(),
      { shopperId, location: { ...spot, accuracyM: 10 } },
      { now: new Date(justAfter(until)) },
    );
    expect(after.result.offers).toEqual([]);
    expect(after.stored).toBe(false);
  });

  it('offers: the list, GET /v1/offers/{id} and the export see an offer 1 s before offersDays from when it was made, not 1 s after', async () => {
    const until = Math.floor(Date.parse(String(raw.offer[0].createdAt)) / 1000) + retention.offersDays * DAY_S;
    const listed = (nowMs: number) =>
      listShopperOffers(p(), shopperId, 25, undefined, nowMs).then((r) => r.items.map((o) => o.id));
    expect(await listed(justBefore(until))).toEqual([offerId]);
    expect(await listed(justAfter(until))).toEqual([]);
    expect((await getOfferDelivery(p(), offerId, justBefore(until))).id).toBe(offerId);
    await expect(getOfferDelivery(p(), offerId, justAfter(until))).rejects.toMatchObject({ kind: 'not_found' });
    expect((await exportShopper(p(), shopperId, justBefore(until))).offers.map((o) => o.id)).toEqual([offerId]);
    expect((await exportShopper(p(), shopperId, justAfter(until))).offers).toEqual([]);
  });

  it('eligibility: attribution and the export see a record 1 s before offersDays, not 1 s after', async () => {
    const until = fromWrite(raw.eligibility[0], WRITTEN_DAYS.eligibility, retention.offersDays);
    const range = ['2000-01-01T00:00:00.000Z', '2999-01-01T00:00:00.000Z'] as const;
    expect(await listEligibility(t.id, shopperId, ...range, retention, justBefore(until))).toHaveLength(1);
    expect(await listEligibility(t.id, shopperId, ...range, retention, justAfter(until))).toEqual([]);
    expect((await exportShopper(p(), shopperId, justBefore(until))).eligibility).toHaveLength(1);
    expect((await exportShopper(p(), shopperId, justAfter(until))).eligibility).toEqual([]);
  });

  it('visits: the visit state and the geofence event (delivery and export) are kept visitsDays, not 1 s more', async () => {
    const until = fromWrite(raw.visits[0], WRITTEN_DAYS.visits, retention.visitsDays);
    expect(Object.keys((await getVisits(t.id, shopperId, justBefore(until), retention)).fences)).toHaveLength(1);
    expect((await getVisits(t.id, shopperId, justAfter(until), retention)).fences).toEqual({});
    expect((await exportShopper(p(), shopperId, justBefore(until))).visits).toHaveLength(1);
    expect((await exportShopper(p(), shopperId, justAfter(until))).visits).toEqual([]);
    const eventUntil = fromWrite(raw.visitEvent[0], WRITTEN_DAYS.visitEvent, retention.visitsDays);
    expect((await getVisitEvent(t.id, shopperId, eventId, retention, justBefore(eventUntil)))?.id).toBe(eventId);
    expect(await getVisitEvent(t.id, shopperId, eventId, retention, justAfter(eventUntil))).toBeUndefined();
    expect((await exportShopper(p(), shopperId, justAfter(eventUntil))).visitEvents).toEqual([]);
  });

  it('location and conversions: the export shows them 1 s before locationDays / profileDays, not 1 s after', async () => {
    const loc = fromWrite(raw.location[0], WRITTEN_DAYS.location, retention.locationDays);
    expect((await exportShopper(p(), shopperId, justBefore(loc))).location).toHaveLength(1);
    expect((await exportShopper(p(), shopperId, justAfter(loc))).location).toEqual([]);
    const conv = fromWrite(raw.conversion[0], WRITTEN_DAYS.conversion, retention.profileDays);
    expect((await exportShopper(p(), shopperId, justBefore(conv))).conversions).toHaveLength(1);
    expect((await exportShopper(p(), shopperId, justAfter(conv))).conversions).toEqual([]);
  });

  it('stats markers: a shopper is counted once while their marker is kept, again 1 s past profileDays', async () => {
    const ct = raw.marker.find((m) => String(m.sk).endsWith('#CT'));
    expect(ct).toBeDefined();
    const until = fromWrite(ct!, WRITTEN_DAYS.marker, retention.profileDays);
    const campaignId = String(ct!.sk).split('#')[1];
    const exported = await exportShopper(p(), shopperId, justBefore(until));
    expect(exported.statsMarkers.find((m) => m.key === `${campaignId}#CT`)?.expiresAt).toBe(new Date(until * 1000).toISOString());
    expect((await exportShopper(p(), shopperId, justAfter(until))).statsMarkers.filter((m) => m.key.endsWith('#CT'))).toEqual([]);
    expect(await markConverterSeen(t.id, shopperId, campaignId, 'treatment', { retention, nowMs: justBefore(until) })).toBe(
      false,
    );
    expect(await markConverterSeen(t.id, shopperId, campaignId, 'treatment', { retention, nowMs: justAfter(until) })).toBe(true);
  });

  it('at the defaults, keeps each item until its TTL (1 s before) and not after (1 s after)', async () => {
    const d = (await getTenantSettings(t.id)).retention;
    expect(d).toEqual(retention);
    const profileTtl = Number(raw.profile[0].ttl);
    const defaults = { ...DEFAULTS };
    const { exportShopperItems } = await import('../../shared/store/shoppers.js');
    expect((await exportShopperItems(t.id, shopperId, defaults, justBefore(profileTtl))).profile).not.toBeNull();
    expect((await exportShopperItems(t.id, shopperId, defaults, justAfter(profileTtl))).profile).toBeNull();
    const offerUntil = Math.floor(Date.parse(String(raw.offer[0].createdAt)) / 1000) + DEFAULTS.offersDays * DAY_S;
    expect((await exportShopperItems(t.id, shopperId, defaults, justBefore(offerUntil))).offers).toHaveLength(1);
    expect((await exportShopperItems(t.id, shopperId, defaults, justAfter(offerUntil))).offers).toEqual([]);
  });
});

describe('a tenant that shortens offersDays', () => {
  it('to 1 no longer sees a 2-day-old offer anywhere (list, GET, redeem, export); another tenant still sees its own', async () => {
    const spot = { lat: 40.42, lng: -3.71 };
    const make = async () => {
      const t = await newTenant();
      await storeFenceCampaign(t.adminKey, spot, { offer: { title: 'Old', body: 'Offer', validForMinutes: 5 * 24 * 60 } });
      const shopperId = unique('aged');
      await consentingShopper(t.adminKey, shopperId);
      const res = await setupCall('POST', '/v1/offers', {
        key: t.adminKey,
        body: { shopperId, location: { ...spot, accuracyM: 10 } },
      });
      const offerId = res.body.offers[0].id as string;
      // Two days old: made two days ago, still valid for three more.
      await getDdb().send(
        new UpdateCommand({
          TableName: process.env.TABLE_NAME,
          Key: offerKey(t.id, shopperId, offerId),
          UpdateExpression: 'SET createdAt = :c',
          ExpressionAttributeValues: { ':c': new Date(Date.now() - 2 * DAY_S * 1000).toISOString() },
        }),
      );
      return { t, shopperId, offerId };
    };
    const [mine, theirs] = await Promise.all([make(), make()]);
    const seen = async (x: Awaited<ReturnType<typeof make>>) => ({
      listed: (await api('GET', `/v1/shoppers/${x.shopperId}/offers`, { key: x.t.adminKey })).body.items.map(
        (o: { id: string }) => o.id,
      ),
      got: (await api('GET', `/v1/offers/${x.offerId}`, { key: x.t.adminKey })).status,
      exported: (await api('GET', `/v1/shoppers/${x.shopperId}/export`, { key: x.t.adminKey })).body.offers.length,
    });
    expect(await seen(mine)).toEqual({ listed: [mine.offerId], got: 200, exported: 1 });

    const res = await patch(mine.t.adminKey, { retention: { offersDays: 1 } });
    expect(res.body.retention.offersDays).toBe(1);
    expect(await seen(mine)).toEqual({ listed: [], got: 404, exported: 0 });
    expectProblem(await api('POST', `/v1/offers/${mine.offerId}/redeem`, { key: mine.t.adminKey, body: {} }), 404);

    expect(await seen(theirs)).toEqual({ listed: [theirs.offerId], got: 200, exported: 1 });
    expect((await api('POST', `/v1/offers/${theirs.offerId}/redeem`, { key: theirs.t.adminKey, body: {} })).status).toBe(200);
  });
});
