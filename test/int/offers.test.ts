import { Webhook } from 'standardwebhooks';
import { describe, expect, it, onTestFinished } from 'vitest';
import { HOLDOUT_BUCKETS, holdoutBucket, isHeldOut } from '../../shared/domain/targeting/index.js';
import { putShopper as storeShopper } from '../../shared/services/shoppers.js';
import { api, expectProblem, newKey, unique } from '../support/api.js';
import {
  CONSENT,
  campaignStats,
  circle,
  createCampaign,
  createFence,
  eventually,
  marketingTenant,
  north,
  offersFor,
  postOffers,
  putShopper,
  sleep,
  webhookReceiver,
  type Point,
} from '../support/marketing.js';
import { adminPrincipal, pool } from '../support/principal.js';

const PLAZA = { lat: 41.387, lng: 2.17 };

/** Store profiles with both consents in-process (one PutItem each), fast; the offers themselves go over HTTP. */
async function seedShoppers(tenantId: string, shopperIds: string[]) {
  const p = adminPrincipal(tenantId);
  await pool(shopperIds, 16, async (id) => {
    await storeShopper(p, id, { consent: { ...CONSENT } });
  });
}

/**
 * POST /v1/offers as the contract tells a client to behave: one
 * Idempotency-Key per request, and after a 503 (a legitimate answer under
 * overload) a retry with the same key once `Retry-After` seconds have
 * passed, up to `attempts` calls in all. Returns every answer, the last one
 * last.
 */
async function postOffersRetrying(key: string, body: Record<string, unknown>, attempts = 5) {
  const idem = { 'idempotency-key': unique('offer') };
  const answers: Awaited<ReturnType<typeof postOffers>>[] = [];
  for (;;) {
    const res = await postOffers(key, body, idem);
    answers.push(res);
    if (res.status !== 503 || answers.length >= attempts) return answers;
    const retryAfter = res.headers.get('retry-after');
    expect(retryAfter, 'a 503 says when to retry').toMatch(/^[1-9]\d*$/);
    await sleep(Number(retryAfter) * 1000);
  }
}

/** One request per instant, all at once; returns, per instant, the campaigns that made an offer. */
async function offeredAt(key: string, shopperId: string, location: Point, instants: string[]) {
  const answers = await Promise.all(instants.map((at) => offersFor(key, { shopperId, location, at })));
  return Object.fromEntries(instants.map((at, i) => [at, answers[i].offers.map((o) => o.campaignId)]));
}

describe('schedules', () => {
  it('reads days and hours on the wall clock of a non-UTC zone, winter and summer', async () => {
    const t = await marketingTenant();
    const fence = await createFence(t.key, { geometry: circle(PLAZA, 200) });
    const c = await createCampaign(t.key, {
      geofenceIds: [fence.id],
      schedule: { timezone: 'Europe/Madrid', daysOfWeek: [1, 2, 3, 4, 5], hours: { from: '09:00', to: '17:00' } },
    });
    await putShopper(t.key, 'commuter');
    const expected: Record<string, string[]> = {
      '2026-06-10T06:59:00Z': [], // Wed 08:59 CEST
      '2026-06-10T07:00:00Z': [c.id], // Wed 09:00 CEST
      '2026-06-10T14:59:00Z': [c.id], // Wed 16:59 CEST
      '2026-06-10T15:00:00Z': [], // Wed 17:00 CEST
      '2026-01-14T07:30:00Z': [], // Wed 08:30 CET
      '2026-01-14T08:00:00Z': [c.id], // Wed 09:00 CET
      '2026-01-14T15:59:00Z': [c.id], // Wed 16:59 CET
      '2026-01-14T16:00:00Z': [], // Wed 17:00 CET
      '2026-06-13T10:00:00Z': [], // Sat 12:00
      '2026-06-14T07:30:00Z': [], // Sun 09:30
      '2026-06-15T07:30:00Z': [c.id], // Mon 09:30
      '2026-06-10T09:00:00+02:00': [c.id], // the same instant written with an offset
    };
    expect(await offeredAt(t.key, 'commuter', PLAZA, Object.keys(expected))).toEqual(expected);
  });

  it('gives a window that crosses midnight to the day it starts on', async () => {
    const t = await marketingTenant();
    const fence = await createFence(t.key, { geometry: circle(PLAZA, 200) });
    const c = await createCampaign(t.key, {
      geofenceIds: [fence.id],
      schedule: { timezone: 'Asia/Tokyo', daysOfWeek: [5], hours: { from: '22:00', to: '02:00' } },
    });
    await putShopper(t.key, 'night-owl');
    const expected: Record<string, string[]> = {
      '2026-06-12T12:59:00Z': [], // Fri 21:59 JST
      '2026-06-12T13:00:00Z': [c.id], // Fri 22:00 JST
      '2026-06-12T14:30:00Z': [c.id], // Fri 23:30 JST
      '2026-06-12T15:00:00Z': [c.id], // Sat 00:00 JST, still Friday's window
      '2026-06-12T16:59:00Z': [c.id], // Sat 01:59 JST
      '2026-06-12T17:00:00Z': [], // Sat 02:00 JST
      '2026-06-11T16:00:00Z': [], // Fri 01:00 JST belongs to Thursday's window
      '2026-06-13T14:00:00Z': [], // Sat 23:00 JST
    };
    expect(await offeredAt(t.key, 'night-owl', PLAZA, Object.keys(expected))).toEqual(expected);
  });

  it('follows daylight-saving changes in America/New_York', async () => {
    const t = await marketingTenant();
    const fence = await createFence(t.key, { geometry: circle(PLAZA, 200) });
    const office = await createCampaign(t.key, {
      name: 'office hours',
      geofenceIds: [fence.id],
      schedule: { timezone: 'America/New_York', hours: { from: '09:00', to: '17:00' } },
    });
    const small = await createCampaign(t.key, {
      name: 'small hours',
      geofenceIds: [fence.id],
      schedule: { timezone: 'America/New_York', hours: { from: '01:30', to: '02:30' } },
    });
    await putShopper(t.key, 'new-yorker');
    const expected: Record<string, string[]> = {
      // Friday before the change (EST, UTC-5): 09:00-17:00 is 14:00-22:00 UTC.
      '2026-03-06T13:59:00Z': [],
      '2026-03-06T14:00:00Z': [office.id],
      '2026-03-06T21:59:00Z': [office.id],
      '2026-03-06T22:00:00Z': [],
      // Monday after it (EDT, UTC-4): 13:00-21:00 UTC.
      '2026-03-09T12:59:00Z': [],
      '2026-03-09T13:00:00Z': [office.id],
      '2026-03-09T20:59:00Z': [office.id],
      '2026-03-09T21:00:00Z': [],
      // Spring forward, 2026-03-08: 02:00 EST jumps to 03:00 EDT, so 01:30-02:30 lasts 30 minutes.
      '2026-03-08T06:29:00Z': [], // 01:29 EST
      '2026-03-08T06:30:00Z': [small.id], // 01:30 EST
      '2026-03-08T06:59:00Z': [small.id], // 01:59 EST
      '2026-03-08T07:00:00Z': [], // 03:00 EDT
      '2026-03-08T07:30:00Z': [], // 03:30 EDT
      // Fall back, 2026-11-01: 02:00 EDT goes back to 01:00 EST, so 01:30-02:30 lasts 90 minutes.
      '2026-11-01T05:29:00Z': [], // 01:29 EDT
      '2026-11-01T05:30:00Z': [small.id], // 01:30 EDT
      '2026-11-01T05:59:00Z': [small.id], // 01:59 EDT
      '2026-11-01T06:00:00Z': [], // 01:00 EST
      '2026-11-01T06:29:00Z': [], // 01:29 EST
      '2026-11-01T06:30:00Z': [small.id], // 01:30 EST
      '2026-11-01T07:29:00Z': [small.id], // 02:29 EST
      '2026-11-01T07:30:00Z': [], // 02:30 EST
    };
    expect(await offeredAt(t.key, 'new-yorker', PLAZA, Object.keys(expected))).toEqual(expected);
  });

  it('fires from startsAt (inclusive) until endsAt (exclusive)', async () => {
    const t = await marketingTenant();
    const fence = await createFence(t.key, { geometry: circle(PLAZA, 200) });
    const c = await createCampaign(t.key, {
      geofenceIds: [fence.id],
      schedule: { timezone: 'Europe/Madrid', startsAt: '2026-05-01T00:00:00+02:00', endsAt: '2026-05-08T00:00:00+02:00' },
    });
    await putShopper(t.key, 'visitor');
    const expected: Record<string, string[]> = {
      '2026-04-30T21:59:59Z': [],
      '2026-04-30T22:00:00Z': [c.id],
      '2026-05-07T21:59:59Z': [c.id],
      '2026-05-07T22:00:00Z': [],
    };
    expect(await offeredAt(t.key, 'visitor', PLAZA, Object.keys(expected))).toEqual(expected);
  });
});

describe('location accuracy and confidence', () => {
  it('scores high, medium and low confidence, filters by minConfidence, and matches nothing beyond 1,000 m accuracy', async () => {
    const t = await marketingTenant();
    const fence = await createFence(t.key, { geometry: circle(PLAZA, 200) });
    const low = await createCampaign(t.key, { name: 'low', geofenceIds: [fence.id], minConfidence: 'low' });
    const medium = await createCampaign(t.key, { name: 'medium', geofenceIds: [fence.id], minConfidence: 'medium' });
    const high = await createCampaign(t.key, { name: 'high', geofenceIds: [fence.id], minConfidence: 'high' });
    await putShopper(t.key, 'walker');
    const cases: {
      what: string;
      location: { lat: number; lng: number; accuracyM?: number };
      confidence: string | null;
      campaigns: string[];
    }[] = [
      {
        what: 'accuracy circle inside',
        location: { ...PLAZA, accuracyM: 50 },
        confidence: 'high',
        campaigns: [low.id, medium.id, high.id],
      },
      {
        what: '10 m circle inside, 50 m from the edge',
        location: { ...north(PLAZA, 150), accuracyM: 10 },
        confidence: 'high',
        campaigns: [low.id, medium.id, high.id],
      },
      {
        what: 'point inside, circle crossing the edge',
        location: { ...north(PLAZA, 150), accuracyM: 100 },
        confidence: 'medium',
        campaigns: [low.id, medium.id],
      },
      {
        what: 'point inside, no accuracy given',
        location: north(PLAZA, 150),
        confidence: 'medium',
        campaigns: [low.id, medium.id],
      },
      {
        what: 'point inside, accuracy exactly 1,000 m',
        location: { ...PLAZA, accuracyM: 1000 },
        confidence: 'medium',
        campaigns: [low.id, medium.id],
      },
      {
        what: 'point outside, circle touching',
        location: { ...north(PLAZA, 250), accuracyM: 100 },
        confidence: 'low',
        campaigns: [low.id],
      },
      {
        what: 'point 900 m outside, 1,000 m accuracy',
        location: { ...north(PLAZA, 1100), accuracyM: 1000 },
        confidence: 'low',
        campaigns: [low.id],
      },
      {
        what: 'point outside, circle not touching',
        location: { ...north(PLAZA, 350), accuracyM: 100 },
        confidence: null,
        campaigns: [],
      },
      { what: 'accuracy 1,001 m at the centre', location: { ...PLAZA, accuracyM: 1001 }, confidence: null, campaigns: [] },
      { what: 'accuracy 5,000 m at the centre', location: { ...PLAZA, accuracyM: 5000 }, confidence: null, campaigns: [] },
    ];
    const answers = await Promise.all(cases.map((c) => offersFor(t.key, { shopperId: 'walker', location: c.location })));
    const got = cases.map((c, i) => ({
      what: c.what,
      geofences: answers[i].geofences,
      campaigns: answers[i].offers.map((o) => o.campaignId).sort(),
      confidences: [...new Set(answers[i].offers.map((o) => o.confidence))],
    }));
    expect(got).toEqual(
      cases.map((c) => ({
        what: c.what,
        geofences: c.confidence ? [fence.id] : [],
        campaigns: [...c.campaigns].sort(),
        confidences: c.confidence ? [c.confidence] : [],
      })),
    );
  });
});

describe('budgets and frequency caps under concurrency', () => {
  it('never exceeds a budget of 50 offers under 200 concurrent requests', async () => {
    const t = await marketingTenant();
    const fence = await createFence(t.key, { geometry: circle(PLAZA, 200) });
    const c = await createCampaign(t.key, { geofenceIds: [fence.id], budget: { maxOffers: 50 } });
    const shoppers = Array.from({ length: 200 }, (_, i) => `budget-${i}`);
    await seedShoppers(t.id, shoppers);
    // All 200 at once. A request that answers 503 (overload: the local stack serves them 16 at a time on 2 cores) is
    // retried as the contract says, after Retry-After with the same Idempotency-Key: it then replays what the first
    // attempt did, or runs afresh, and never makes a second offer.
    const calls = await Promise.all(shoppers.map((shopperId) => postOffersRetrying(t.key, { shopperId, location: PLAZA })));
    const results = calls.map((answers) => answers[answers.length - 1]);
    expect(results.filter((r) => r.status !== 200).map((r) => [r.status, r.body])).toEqual([]);
    // Every answer before the last was a 503 with Retry-After (nothing else is retried).
    expect(calls.flatMap((answers) => answers.slice(0, -1).map((r) => r.status)).filter((s) => s !== 503)).toEqual([]);
    const offers = results.flatMap((r) => r.body.offers).filter((o) => o.campaignId === c.id);
    expect(offers).toHaveLength(50);
    expect(new Set(offers.map((o) => o.id)).size).toBe(50);
    expect(results.filter((r) => r.body.offers.length > 0)).toHaveLength(50);
    // The budget is read from its shards (exact at once); offers are counted off the request path, within about a second.
    const stats = await campaignStats(t.key, c.id);
    expect(stats.budget).toEqual({ maxOffers: 50, used: 50, remaining: 0 });
    // Exactly 50 offers stored (each counted once from the table's stream), and those are the 50 answered: none twice.
    // The stream is read off the request path; on a loaded machine it can run seconds behind.
    await expect.poll(() => campaignStats(t.key, c.id).then((s) => s.offered), { timeout: 30_000 }).toBe(50);
    // A shopper whose request was retried holds exactly the offers of its last answer.
    const retried = shoppers.filter((_, i) => calls[i].length > 1);
    const held = await Promise.all(
      retried.map(async (shopperId) => {
        const exp = await api('GET', `/v1/shoppers/${shopperId}/export`, { key: t.key });
        return { shopperId, status: exp.status, offers: (exp.body.offers as { id: string }[]).map((o) => o.id) };
      }),
    );
    expect(held).toEqual(
      retried.map((shopperId) => ({
        shopperId,
        status: 200,
        offers: results[shoppers.indexOf(shopperId)].body.offers.map((o) => o.id),
      })),
    );
    // Spent: a later shopper gets nothing.
    await putShopper(t.key, 'late');
    expect((await offersFor(t.key, { shopperId: 'late', location: PLAZA })).offers).toEqual([]);
    expect((await campaignStats(t.key, c.id)).budget).toEqual({ maxOffers: 50, used: 50, remaining: 0 });
  }, 180_000);

  it('spends a budget smaller than its shard count to the last unit, one request after another, then offers nothing more', async () => {
    // 10 units on 10 shards of 1: requests pick shards at random, so most land on a spent one before the last unit goes.
    const t = await marketingTenant();
    const fence = await createFence(t.key, { geometry: circle(PLAZA, 200) });
    const c = await createCampaign(t.key, { geofenceIds: [fence.id], budget: { maxOffers: 10 } });
    const shoppers = Array.from({ length: 12 }, (_, i) => `small-budget-${i}`);
    await seedShoppers(t.id, shoppers);
    const got: number[] = [];
    for (const shopperId of shoppers) {
      const res = await postOffers(t.key, { shopperId, location: PLAZA });
      expect({ shopperId, status: res.status }).toEqual({ shopperId, status: 200 });
      got.push(res.body.offers.length);
    }
    expect(got).toEqual([...Array(10).fill(1), 0, 0]);
    expect((await campaignStats(t.key, c.id)).budget).toEqual({ maxOffers: 10, used: 10, remaining: 0 });
  });

  it('gives one shopper exactly one offer from 20 concurrent requests under a 1-per-24-hours cap', async () => {
    const t = await marketingTenant();
    const fence = await createFence(t.key, { geometry: circle(PLAZA, 200) });
    const c = await createCampaign(t.key, { geofenceIds: [fence.id], frequencyCap: { maxOffers: 1, perHours: 24 } });
    await putShopper(t.key, 'eager');
    const results = await Promise.all(
      Array.from({ length: 20 }, () => postOffers(t.key, { shopperId: 'eager', location: PLAZA })),
    );
    expect(results.map((r) => r.status)).toEqual(Array(20).fill(200));
    const offers = results.flatMap((r) => r.body.offers);
    expect(offers.map((o) => o.campaignId)).toEqual([c.id]);
    const live = await api('GET', '/v1/shoppers/eager/offers', { key: t.key });
    expect(live.body.items.map((o: { id: string }) => o.id)).toEqual([offers[0].id]);
    expect((await offersFor(t.key, { shopperId: 'eager', location: PLAZA })).offers).toEqual([]);
    // The cap is per shopper: someone else still gets one.
    await putShopper(t.key, 'patient');
    expect((await offersFor(t.key, { shopperId: 'patient', location: PLAZA })).offers.map((o) => o.campaignId)).toEqual([c.id]);
    await expect.poll(() => campaignStats(t.key, c.id).then((s) => s.offered), { timeout: 10_000 }).toBe(2);
  });
});

describe('idempotent offer requests', () => {
  it('replays the same offers for the same Idempotency-Key and body, delivers nothing new, and refuses another body with 409', async () => {
    const t = await marketingTenant();
    const hook = await webhookReceiver();
    onTestFinished(() => hook.close());
    const set = await api('PUT', '/v1/webhook', { key: t.key, body: { url: hook.url } });
    expect(set.status).toBe(200);
    expect(set.body.url).toBe(hook.url);
    const secret: string = set.body.secret;

    const fence = await createFence(t.key, { geometry: circle(PLAZA, 200) });
    const c = await createCampaign(t.key, { geofenceIds: [fence.id] });
    const shopperId = unique('idem-shopper');
    await putShopper(t.key, shopperId);
    const body = { shopperId, location: { ...PLAZA, accuracyM: 20 } };
    const idem = { 'idempotency-key': unique('idem') };
    const deliveriesFor = (offerId?: string) =>
      hook.deliveries.filter(
        (d) => d.body.type === 'offer.created' && d.body.shopperId === shopperId && (!offerId || d.body.offer.id === offerId),
      );

    const first = await postOffers(t.key, body, idem);
    expect(first.status).toBe(200);
    expect(first.body.offers.map((o) => o.campaignId)).toEqual([c.id]);
    const offerId = first.body.offers[0].id;
    expect(await eventually(() => deliveriesFor(offerId).length === 1, 15_000)).toBe(true);

    // The delivery is signed with the webhook secret (Standard Webhooks: its published verifier accepts it).
    const d = deliveriesFor(offerId)[0];
    expect(new Webhook(secret).verify(d.raw, d.headers as Record<string, string>)).toEqual(d.body);
    expect(d.body.offer).toMatchObject({ id: offerId, campaignId: c.id });

    const replay = await postOffers(t.key, body, idem);
    expect(replay.status).toBe(200);
    expect(replay.body).toEqual(first.body);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');

    const other = expectProblem(await postOffers(t.key, { ...body, location: { ...PLAZA, accuracyM: 30 } }, idem), 409);
    expect(other.type).toMatch(/idempotency-key-reused/);

    // Give delivery time to (wrongly) send a second message, then check that nothing new exists.
    await sleep(2500);
    expect(deliveriesFor()).toHaveLength(1);
    const live = await api('GET', `/v1/shoppers/${shopperId}/offers`, { key: t.key });
    expect(live.body.items.map((o: { id: string; deliveryStatus: string }) => [o.id, o.deliveryStatus])).toEqual([
      [offerId, 'delivered'],
    ]);
    await expect.poll(() => campaignStats(t.key, c.id), { timeout: 10_000 }).toMatchObject({ offered: 1, delivered: 1 });

    // Control: a new key with the same body is a new request, and its offer is delivered.
    const fresh = await postOffers(t.key, body, { 'idempotency-key': unique('idem') });
    expect(fresh.body.offers).toHaveLength(1);
    expect(fresh.body.offers[0].id).not.toBe(offerId);
    expect(await eventually(() => deliveriesFor().length === 2, 15_000)).toBe(true);
    expect(deliveriesFor(fresh.body.offers[0].id)).toHaveLength(1);
  });

  it('makes one offer when retries with the same Idempotency-Key race each other', async () => {
    const t = await marketingTenant();
    const fence = await createFence(t.key, { geometry: circle(PLAZA, 200) });
    const c = await createCampaign(t.key, { geofenceIds: [fence.id] });
    await putShopper(t.key, 'retrier');
    const idem = { 'idempotency-key': unique('race') };
    const results = await Promise.all(
      Array.from({ length: 8 }, () => postOffers(t.key, { shopperId: 'retrier', location: PLAZA }, idem)),
    );
    for (const r of results) expect([200, 409]).toContain(r.status);
    const answered = results.filter((r) => r.status === 200);
    expect(answered.length).toBeGreaterThanOrEqual(1);
    for (const r of results.filter((x) => x.status === 409))
      expect((r.body as unknown as { type: string }).type).toMatch(/idempotency/);
    const ids = new Set(answered.flatMap((r) => r.body.offers.map((o) => o.id)));
    expect(ids.size).toBe(1);
    for (const r of answered) expect(r.body.offers.map((o) => o.campaignId)).toEqual([c.id]);
    // Once the first has finished, a retry replays it.
    const replay = await postOffers(t.key, { shopperId: 'retrier', location: PLAZA }, idem);
    expect(replay.status).toBe(200);
    expect(replay.body.offers.map((o) => o.id)).toEqual([...ids]);
    const live = await api('GET', '/v1/shoppers/retrier/offers', { key: t.key });
    expect(live.body.items.map((o: { id: string }) => o.id)).toEqual([...ids]);
    await expect.poll(() => campaignStats(t.key, c.id).then((s) => s.offered), { timeout: 10_000 }).toBe(1);
  });
});

describe('holdout', () => {
  it('assigns shoppers deterministically and holds out the configured share of 10,000 shoppers, within 2 points', () => {
    for (const [campaignId, percent] of [
      ['cmp_holdout_a', 5],
      ['cmp_holdout_b', 10],
      ['cmp_holdout_c', 25],
      ['cmp_holdout_d', 50],
    ] as const) {
      const shoppers = Array.from({ length: 10_000 }, (_, i) => `shopper-${i}`);
      const held = shoppers.filter((s) => isHeldOut(campaignId, s, percent));
      const share = (held.length / shoppers.length) * 100;
      expect({ campaignId, percent, withinTwoPoints: Math.abs(share - percent) <= 2 }).toEqual({
        campaignId,
        percent,
        withinTwoPoints: true,
      });
      expect(shoppers.filter((s) => isHeldOut(campaignId, s, percent))).toEqual(held);
      expect(shoppers.filter((s) => isHeldOut(campaignId, s, 0))).toEqual([]);
      for (const s of shoppers.slice(0, 100)) {
        const b = holdoutBucket(campaignId, s);
        expect(b).toBeGreaterThanOrEqual(0);
        expect(b).toBeLessThan(HOLDOUT_BUCKETS);
        expect(holdoutBucket(campaignId, s)).toBe(b);
      }
    }
    // Campaigns are independent: about a quarter of shoppers are held out of both of two 50 % campaigns.
    const both = Array.from({ length: 10_000 }, (_, i) => `shopper-${i}`).filter(
      (s) => isHeldOut('cmp_one', s, 50) && isHeldOut('cmp_two', s, 50),
    ).length;
    expect(Math.abs(both / 100 - 25)).toBeLessThanOrEqual(2);
  });

  it('records held-out shoppers without offering them, the same side on every request, and counts both sides', async () => {
    const t = await marketingTenant();
    const fence = await createFence(t.key, { geometry: circle(PLAZA, 200) });
    const c = await createCampaign(t.key, { geofenceIds: [fence.id], holdoutPercent: 40 });
    // The share held out is measured on 10,000 shoppers above (a pure function); here each shopper's side is checked
    // against it, over HTTP, so a few dozen with both sides well represented prove as much as hundreds.
    const shoppers = Array.from({ length: 60 }, (_, i) => `holdout-${i}`);
    await seedShoppers(t.id, shoppers);
    const ask = async (ids: string[]) => {
      const out = new Map<string, string[]>();
      await pool(ids, 25, async (shopperId) => {
        out.set(
          shopperId,
          (await offersFor(t.key, { shopperId, location: PLAZA })).offers.map((o) => o.campaignId),
        );
      });
      return ids.map((s) => ({ shopper: s, offered: out.get(s) }));
    };
    const expected = (ids: string[]) => ids.map((s) => ({ shopper: s, offered: isHeldOut(c.id, s, 40) ? [] : [c.id] }));
    const held = shoppers.filter((s) => isHeldOut(c.id, s, 40));
    // 24 expected of 60; fewer than 5 on either side is over 5 standard deviations away.
    expect(held.length).toBeGreaterThanOrEqual(5);
    expect(shoppers.length - held.length).toBeGreaterThanOrEqual(5);

    expect(await ask(shoppers)).toEqual(expected(shoppers));
    // Counted off the request path (the table's stream), within about a second.
    const sides = () =>
      campaignStats(t.key, c.id).then((s) => ({ heldOut: s.heldOut, offered: s.offered, eligible: s.eligible }));
    await expect.poll(sides, { timeout: 10_000 }).toEqual({
      heldOut: held.length,
      offered: shoppers.length - held.length,
      eligible: shoppers.length,
    });

    // The same shoppers again: every one lands on the same side.
    const again = shoppers.slice(0, 20);
    expect(await ask(again)).toEqual(expected(again));
    const heldAgain = again.filter((s) => held.includes(s)).length;
    await expect.poll(sides, { timeout: 10_000 }).toEqual({
      heldOut: held.length + heldAgain,
      offered: shoppers.length - held.length + (again.length - heldAgain),
      eligible: shoppers.length + again.length,
    });

    // A held-out shopper is recorded as eligible on the holdout side, with no offer.
    const exported = await api('GET', `/v1/shoppers/${held[0]}/export`, { key: t.key });
    expect(exported.body.offers).toEqual([]);
    expect(exported.body.eligibility.length).toBeGreaterThanOrEqual(1);
    for (const e of exported.body.eligibility) expect(e).toMatchObject({ campaignId: c.id, side: 'holdout', offerId: null });
  });
});

describe('tenant isolation on the hot path', () => {
  it("never gives a publishable key another tenant's offers at the same place", async () => {
    const a = await marketingTenant();
    const b = await marketingTenant();
    const fenceA = await createFence(a.key, { geometry: circle(PLAZA, 200) });
    const fenceB = await createFence(b.key, { geometry: circle(PLAZA, 300) });
    const campaignA = await createCampaign(a.key, { name: 'A', geofenceIds: [fenceA.id] });
    const campaignB = await createCampaign(b.key, { name: 'B', geofenceIds: [fenceB.id] });
    const appA = await newKey(a.adminKey, { kind: 'publishable' });
    const appB = await newKey(b.adminKey, { kind: 'publishable' });
    await putShopper(a.key, 'same-id');
    await putShopper(b.key, 'same-id');
    await putShopper(a.key, 'only-in-a');

    const forB = await offersFor(appB.key, { shopperId: 'same-id', location: PLAZA });
    expect(forB.geofences).toEqual([fenceB.id]);
    expect(forB.offers.map((o) => [o.campaignId, o.geofenceId])).toEqual([[campaignB.id, fenceB.id]]);
    const forA = await offersFor(appA.key, { shopperId: 'same-id', location: PLAZA });
    expect(forA.geofences).toEqual([fenceA.id]);
    expect(forA.offers.map((o) => [o.campaignId, o.geofenceId])).toEqual([[campaignA.id, fenceA.id]]);
    // B knows nothing of A's shopper: no stored profile in B, so no consent and no offer.
    expect((await offersFor(appB.key, { shopperId: 'only-in-a', location: PLAZA })).offers).toEqual([]);
    // B cannot redeem A's offer.
    expectProblem(
      await api('POST', `/v1/offers/${forA.offers[0].id}/redeem`, { key: appB.key, shopper: 'same-id', body: {} }),
      404,
    );
    const liveA = await api('GET', '/v1/shoppers/same-id/offers', { key: a.key });
    expect(liveA.body.items.map((o: { id: string; status: string }) => [o.id, o.status])).toEqual([
      [forA.offers[0].id, 'active'],
    ]);
    const liveB = await api('GET', '/v1/shoppers/same-id/offers', { key: b.key });
    expect(liveB.body.items.map((o: { id: string }) => o.id)).toEqual([forB.offers[0].id]);
    await expect.poll(() => campaignStats(a.key, campaignA.id).then((s) => s.offered), { timeout: 10_000 }).toBe(1);
    await expect.poll(() => campaignStats(b.key, campaignB.id).then((s) => s.offered), { timeout: 10_000 }).toBe(1);
  });
});
