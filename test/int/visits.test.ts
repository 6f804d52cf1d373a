import { GetCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { rng } from '../../bench/datasets.js';
import { describe, expect, it } from 'vitest';
import { getDdb } from '../../shared/platform/clients.js';
import { isHeldOut } from '../../shared/domain/targeting/index.js';
import { getConfig } from '../../shared/platform/config.js';
import { shopperPartition } from '../../shared/store/keys.js';
import { api, expectProblem } from '../support/api.js';
import { withPatientStore } from '../support/patient-store.js';
import {
  circle,
  createCampaign,
  createFence,
  marketingTenant,
  north,
  offersFor,
  putShopper,
  type OfferResponse,
  type Point,
  type Tenant,
} from '../support/marketing.js';

/**
 * Visits and geofence events (API v1.1 "Visits and geofence events") over HTTP: enter, exit and dwell with the
 * hysteresis of the contract, the triggers that fire on them, `at` replays, exactly once under concurrency, and the
 * privacy of the visit state. Walks are replayed with a secret key's `at`, so minutes pass in milliseconds.
 */

const CENTRE = { lat: 41.3851, lng: 2.1734 };
const RADIUS_M = 100;
const M_PER_DEG_LAT = (Math.PI * 6_371_008.8) / 180;
const T0 = Date.parse('2026-11-02T10:00:00Z');

type Events = NonNullable<
  OfferResponse & { events: { type: string; geofenceId: string; at: string; dwellMinutes?: number }[] }
>['events'];

/** A point `metres` from the centre at `bearingDeg` (east of north). */
function at(metres: number, bearingDeg: number, from: Point = CENTRE): Point {
  const b = (bearingDeg * Math.PI) / 180;
  const dLat = (metres * Math.cos(b)) / M_PER_DEG_LAT;
  const dLng = (metres * Math.sin(b)) / (M_PER_DEG_LAT * Math.cos((from.lat * Math.PI) / 180));
  return { lat: from.lat + dLat, lng: from.lng + dLng };
}

interface Place {
  t: Tenant;
  fence: { id: string };
}

async function place(): Promise<Place> {
  const t = await marketingTenant();
  const fence = await createFence(t.key, { geometry: circle(CENTRE, RADIUS_M) });
  return { t, fence };
}

/** One fix of `shopperId`, at minute `minute` of the walk (a secret key's `at`). */
async function fix(
  p: Place,
  shopperId: string,
  point: Point,
  minute: number,
  accuracyM = 20,
): Promise<OfferResponse & { events: Events }> {
  return (await offersFor(p.t.key, {
    shopperId,
    location: { ...point, accuracyM },
    at: new Date(T0 + minute * 60_000).toISOString(),
  })) as OfferResponse & { events: Events };
}

const types = (events: Events) => events.map((e) => e.type);

describe('campaign triggers', () => {
  it('default to enter for a new campaign; dwell needs dwellMinutes (1-720), which no other trigger takes', async () => {
    const p = await place();
    const base = { name: 'c', kind: 'location', offer: { title: 't', body: 'b', validForMinutes: 5 }, geofenceIds: [p.fence.id] };
    const made = await api('POST', '/v1/campaigns', { key: p.t.key, body: base });
    expect(made.status).toBe(201);
    expect(made.body.trigger).toBe('enter');
    expect(made.body).not.toHaveProperty('dwellMinutes');

    const noDwell = expectProblem(await api('POST', '/v1/campaigns', { key: p.t.key, body: { ...base, trigger: 'dwell' } }), 422);
    expect(noDwell.errors).toEqual([{ path: 'dwellMinutes', message: expect.stringContaining('required') }]);
    const stray = expectProblem(
      await api('POST', '/v1/campaigns', { key: p.t.key, body: { ...base, trigger: 'exit', dwellMinutes: 5 } }),
      422,
    );
    expect(stray.errors).toEqual([{ path: 'dwellMinutes', message: expect.stringContaining('only dwell campaigns') }]);
    for (const dwellMinutes of [0, 721, 2.5])
      expect(
        expectProblem(
          await api('POST', '/v1/campaigns', { key: p.t.key, body: { ...base, trigger: 'dwell', dwellMinutes } }),
          422,
        ).errors?.[0]?.path,
      ).toBe('dwellMinutes');
    const bad = expectProblem(await api('POST', '/v1/campaigns', { key: p.t.key, body: { ...base, trigger: 'linger' } }), 422);
    expect(bad.errors?.[0]?.path).toBe('trigger');

    // PATCH: to dwell needs a threshold; away from dwell drops it.
    const id = made.body.id;
    expectProblem(await api('PATCH', `/v1/campaigns/${id}`, { key: p.t.key, body: { trigger: 'dwell' } }), 422);
    const dwell = await api('PATCH', `/v1/campaigns/${id}`, { key: p.t.key, body: { trigger: 'dwell', dwellMinutes: 10 } });
    expect([dwell.status, dwell.body.trigger, dwell.body.dwellMinutes]).toEqual([200, 'dwell', 10]);
    const back = await api('PATCH', `/v1/campaigns/${id}`, { key: p.t.key, body: { trigger: 'exit' } });
    expect([back.status, back.body.trigger, back.body.dwellMinutes]).toEqual([200, 'exit', undefined]);
  });
});

describe('a walk along the edge of a geofence', () => {
  it('20 minutes on the boundary (a fix every 30 s, ±15 m noise, accuracy 20 m) make exactly one entered and one exited event', async () => {
    const p = await place();
    const enter = await createCampaign(p.t.key, { geofenceIds: [p.fence.id], trigger: 'enter' });
    const exit = await createCampaign(p.t.key, { geofenceIds: [p.fence.id], trigger: 'exit' });
    await putShopper(p.t.key, 'walker');
    const noise = rng(42);
    const path: Point[] = [];
    // Walk in from 300 m to the edge (5 fixes), 20 minutes along the edge with noise, then walk out to 300 m.
    for (let d = 300; d > RADIUS_M; d -= 40) path.push(at(d, 0));
    for (let i = 0; i < 40; i++) path.push(at(RADIUS_M + (noise() * 2 - 1) * 15, i * 4.5));
    for (let d = RADIUS_M + 40; d <= 300; d += 40) path.push(at(d, 180));

    const events: Events = [];
    const offers: string[] = [];
    for (const [i, point] of path.entries()) {
      const res = await fix(p, 'walker', point, i * 0.5);
      events.push(...res.events);
      offers.push(...res.offers.map((o) => o.campaignId));
    }
    expect(types(events)).toEqual(['geofence.entered', 'geofence.exited']);
    expect(events.every((e) => e.geofenceId === p.fence.id)).toBe(true);
    // The exit is at the first fix whose accuracy circle is 25 m or more outside: 100 + 20 + 25 = 145 m from the centre.
    const exitMinute = (Date.parse(events[1].at) - T0) / 60_000;
    expect(exitMinute).toBeGreaterThan(20);
    expect(offers.sort()).toEqual([enter.id, exit.id].sort());
  });
});

describe('dwell, and coming back', () => {
  it('fires a 5-minute dwell campaign once in 6 minutes inside; an enter campaign fires again after leaving and coming back, within its cap', async () => {
    const p = await place();
    const dwell = await createCampaign(p.t.key, { geofenceIds: [p.fence.id], trigger: 'dwell', dwellMinutes: 5 });
    const enter = await createCampaign(p.t.key, { geofenceIds: [p.fence.id], trigger: 'enter' });
    const capped = await createCampaign(p.t.key, {
      geofenceIds: [p.fence.id],
      trigger: 'enter',
      frequencyCap: { maxOffers: 1, perHours: 24 },
    });
    await putShopper(p.t.key, 'browser');
    const seen: { minute: number; offers: string[]; events: Events }[] = [];
    const go = async (point: Point, minute: number) => {
      const res = await fix(p, 'browser', point, minute);
      seen.push({ minute, offers: res.offers.map((o) => o.campaignId), events: res.events });
    };
    for (let m = 0; m <= 6; m += 0.5) await go(at(10, 90), m);
    await go(at(400, 90), 7); // leaves
    await go(at(10, 90), 8); // comes back
    await go(at(10, 90), 8.5);

    const offered = (id: string) => seen.filter((s) => s.offers.includes(id)).map((s) => s.minute);
    expect(offered(dwell.id)).toEqual([5]);
    expect(offered(enter.id)).toEqual([0, 8]);
    expect(offered(capped.id)).toEqual([0]);
    const dwelled = seen.flatMap((s) => s.events).filter((e) => e.type === 'geofence.dwelled');
    expect(dwelled).toEqual([
      { type: 'geofence.dwelled', geofenceId: p.fence.id, at: new Date(T0 + 5 * 60_000).toISOString(), dwellMinutes: 5 },
    ]);
    expect(seen.flatMap((s) => types(s.events))).toEqual([
      'geofence.entered',
      'geofence.dwelled',
      'geofence.exited',
      'geofence.entered',
    ]);
  });

  it('lets an older fix match, but never moves the visit state back', async () => {
    const p = await place();
    const enter = await createCampaign(p.t.key, { geofenceIds: [p.fence.id], trigger: 'enter' });
    await putShopper(p.t.key, 'late');
    expect(types((await fix(p, 'late', CENTRE, 10)).events)).toEqual(['geofence.entered']);
    expect(types((await fix(p, 'late', at(500, 0), 20)).events)).toEqual(['geofence.exited']);
    // A fix from minute 15, inside: it matches the fence, but the shopper left at minute 20.
    const late = await fix(p, 'late', CENTRE, 15);
    expect(late.geofences).toEqual([p.fence.id]);
    expect(late.events).toEqual([]);
    expect(late.offers.map((o) => o.campaignId)).toEqual([]);
    // Minute 25, inside again: a new visit.
    const again = await fix(p, 'late', CENTRE, 25);
    expect(types(again.events)).toEqual(['geofence.entered']);
    expect(again.offers.map((o) => o.campaignId)).toEqual([enter.id]);
  });

  it('ends a visit unseen for 12 hours without an exit event: the next fix inside enters again', async () => {
    const p = await place();
    await putShopper(p.t.key, 'sleeper');
    expect(types((await fix(p, 'sleeper', CENTRE, 0)).events)).toEqual(['geofence.entered']);
    expect(types((await fix(p, 'sleeper', CENTRE, 60)).events)).toEqual([]);
    // 12 h and a minute later, far away: the visit has ended already, so no exit.
    expect(types((await fix(p, 'sleeper', at(900, 0), 60 + 12 * 60 + 1)).events)).toEqual([]);
    expect(types((await fix(p, 'sleeper', CENTRE, 60 + 12 * 60 + 2)).events)).toEqual(['geofence.entered']);
  });
});

describe('what does not move a visit', () => {
  it('never enters on low-confidence fixes, and changes nothing with an accuracy over 1,000 m', async () => {
    const p = await place();
    const enter = await createCampaign(p.t.key, { geofenceIds: [p.fence.id], trigger: 'enter' });
    await putShopper(p.t.key, 'fuzzy');
    // 130 m from the centre with 50 m accuracy: the circle touches the fence, the point is outside (low).
    for (let m = 0; m < 5; m++) {
      const low = await fix(p, 'fuzzy', at(130, 45), m, 50);
      expect(low.geofences).toEqual([p.fence.id]);
      expect(low.events).toEqual([]);
      expect(low.offers).toEqual([]);
    }
    expect(types((await fix(p, 'fuzzy', CENTRE, 5)).events)).toEqual(['geofence.entered']);
    // Inside, then a fix 2 km away with accuracy 1,500 m: nothing matches and the shopper has not left.
    const vague = await fix(p, 'fuzzy', at(2000, 0), 6, 1500);
    expect(vague).toEqual({ offers: [], geofences: [], events: [] });
    expect(types((await fix(p, 'fuzzy', CENTRE, 7)).events)).toEqual([]);
    expect(enter.id).toMatch(/^cmp_/);
  });

  it('does not exit on a fix so vague (accuracy + 25 m over 1,000 m) that the index cannot tell', async () => {
    const p = await place();
    await putShopper(p.t.key, 'tower');
    expect(types((await fix(p, 'tower', CENTRE, 0)).events)).toEqual(['geofence.entered']);
    // 1,100 m from the centre (1,000 m from the fence) with 990 m accuracy: the circle is 10 m away from it.
    expect(types((await fix(p, 'tower', at(1100, 0), 1, 990)).events)).toEqual([]);
    expect(types((await fix(p, 'tower', at(1100, 0), 2, 20)).events)).toEqual(['geofence.exited']);
  });

  it('keeps a shopper near the edge inside: an exit needs the accuracy circle 25 m or more outside', async () => {
    const p = await place();
    await putShopper(p.t.key, 'edge');
    expect(types((await fix(p, 'edge', CENTRE, 0)).events)).toEqual(['geofence.entered']);
    // 100 + 20 + 20 = 140 m: the circle is only 20 m outside.
    expect(types((await fix(p, 'edge', at(140, 0), 1)).events)).toEqual([]);
    // 150 m: 30 m outside.
    expect(types((await fix(p, 'edge', at(150, 0), 2)).events)).toEqual(['geofence.exited']);
  });
});

describe('exactly once', () => {
  it('gives 20 concurrent requests of one shopper entering a fence one entered event and one offer per enter campaign', async () => {
    const p = await place();
    const enter = await createCampaign(p.t.key, { geofenceIds: [p.fence.id], trigger: 'enter' });
    const other = await createCampaign(p.t.key, { geofenceIds: [p.fence.id], trigger: 'enter', priority: 5 });
    await putShopper(p.t.key, 'rush');
    const answers = await Promise.all(
      Array.from({ length: 20 }, () => offersFor(p.t.key, { shopperId: 'rush', location: { ...CENTRE, accuracyM: 10 } })),
    );
    const all = answers as (OfferResponse & { events: Events })[];
    expect(all.flatMap((a) => types(a.events))).toEqual(['geofence.entered']);
    const offered = all.flatMap((a) => a.offers.map((o) => o.campaignId)).sort();
    expect(offered).toEqual([enter.id, other.id].sort());
    // The same request carried the event and both offers.
    const winner = all.find((a) => a.events.length)!;
    expect(winner.offers.map((o) => o.campaignId).sort()).toEqual([enter.id, other.id].sort());
  });
});

describe('the privacy of visits', () => {
  it('exports the visit state, erases it with the shopper, and keeps no coordinates of a walk anywhere in the table', async () => {
    const p = await place();
    await putShopper(p.t.key, 'private');
    const noise = rng(7);
    const walk = Array.from({ length: 12 }, (_, i) => at(5 + noise() * 60, i * 30));
    for (const [i, point] of walk.entries()) await fix(p, 'private', point, i * 0.5);

    const exported = await api('GET', '/v1/shoppers/private/export', { key: p.t.key });
    expect(exported.status).toBe(200);
    const visits = JSON.stringify(exported.body).includes(p.fence.id);
    expect(visits).toBe(true);
    const state = await getDdb().send(
      new GetCommand({
        TableName: getConfig().tableName,
        Key: { pk: shopperPartition(p.t.id, 'private'), sk: 'VISITS' },
        ConsistentRead: true,
      }),
    );
    expect(Object.keys(state.Item?.fences ?? {})).toEqual([p.fence.id]);

    // No item of the tenant, anywhere in the table, holds a coordinate of the walk (5 decimals, ~1 m). The shared
    // table is large (other files seed 10,000 fences): the scan runs with a client that waits, and returns only
    // the tenant's items.
    const items = await withPatientStore(async () => {
      const out: Record<string, unknown>[] = [];
      let start: Record<string, unknown> | undefined;
      do {
        const page = await getDdb().send(
          new ScanCommand({
            TableName: getConfig().tableName,
            FilterExpression: 'contains(pk, :tenant)',
            ExpressionAttributeValues: { ':tenant': p.t.id },
            ExclusiveStartKey: start,
          }),
        );
        out.push(...(page.Items ?? []));
        start = page.LastEvaluatedKey;
      } while (start);
      return out;
    });
    expect(items.some((i) => i.sk === 'VISITS')).toBe(true);
    const text = JSON.stringify(items);
    for (const point of walk) {
      expect(text).not.toContain(point.lat.toFixed(5));
      expect(text).not.toContain(point.lng.toFixed(5));
    }

    expect((await api('DELETE', '/v1/shoppers/private', { key: p.t.key })).status).toBe(204);
    const after = await getDdb().send(
      new GetCommand({
        TableName: getConfig().tableName,
        Key: { pk: shopperPartition(p.t.id, 'private'), sk: 'VISITS' },
        ConsistentRead: true,
      }),
    );
    expect(after.Item).toBeUndefined();
  });
});

describe('what an app sees', () => {
  it('gets the events of the fences its offers come from, and no others (no fence mapping with made-up locations)', async () => {
    const p = await place();
    const bare = await createFence(p.t.key, { geometry: circle(north(CENTRE, 40), 300) });
    const enter = await createCampaign(p.t.key, { geofenceIds: [p.fence.id], trigger: 'enter' });
    await putShopper(p.t.key, 'appuser');
    await putShopper(p.t.key, 'appuser2');
    const { key } = (await api('POST', '/v1/keys', { key: p.t.adminKey, body: { name: 'app', kind: 'publishable' } })).body;
    const token = (await api('POST', '/v1/shopper-tokens', { key: p.t.key, body: { shopperId: 'appuser' } })).body.token;
    const ask = (point: Point) =>
      api('POST', '/v1/offers', { key, headers: { 'shopper-token': token }, body: { location: { ...point, accuracyM: 10 } } });
    // Both fences entered: the app hears of the one whose offer it gets.
    const res = await ask(CENTRE);
    expect(res.status).toBe(200);
    expect(res.body.offers.map((o: { campaignId: string }) => o.campaignId)).toEqual([enter.id]);
    expect(res.body.events).toEqual([{ type: 'geofence.entered', geofenceId: p.fence.id, at: expect.any(String) }]);
    expect(res.body.geofences).toEqual([p.fence.id]);
    // Still inside: nothing new, nothing listed.
    expect((await ask(CENTRE)).body).toEqual({ offers: [], geofences: [], events: [] });
    // Leaving: the exit campaign's offer comes with its event, and its fence is listed though no longer matched.
    const bye = await createCampaign(p.t.key, { geofenceIds: [p.fence.id], trigger: 'exit' });
    const left = await ask(at(600, 180));
    expect(left.body.offers.map((o: { campaignId: string }) => o.campaignId)).toEqual([bye.id]);
    expect(left.body.events).toEqual([{ type: 'geofence.exited', geofenceId: p.fence.id, at: expect.any(String) }]);
    expect(left.body.geofences).toEqual([p.fence.id]);
    // The tenant's server hears of both visits.
    const server = await fix(p, 'appuser2', CENTRE, 0);
    expect(server.events.map((e) => e.geofenceId).sort()).toEqual([p.fence.id, bare.id].sort());
  });
});

describe('the control group', () => {
  it("records a held-out shopper's entry once per visit, as the offered side's, for lift", async () => {
    const p = await place();
    const c = await createCampaign(p.t.key, { geofenceIds: [p.fence.id], trigger: 'enter', holdoutPercent: 50 });
    const ids = Array.from({ length: 40 }, (_, i) => `ctl-${i}`);
    const held = ids.find((s) => isHeldOut(c.id, s, 50))!;
    const offered = ids.find((s) => !isHeldOut(c.id, s, 50))!;
    for (const s of [held, offered]) {
      await putShopper(p.t.key, s);
      // Three fixes inside: one entry.
      for (let m = 0; m < 3; m++) await fix(p, s, CENTRE, m);
    }
    await expect
      .poll(async () => {
        const stats = (await api('GET', `/v1/campaigns/${c.id}/stats`, { key: p.t.key })).body;
        return [stats.eligible, stats.offered, stats.heldOut];
      })
      .toEqual([2, 1, 1]);
  });
});
