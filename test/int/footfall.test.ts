import { describe, expect, it } from 'vitest';
import { api, expectProblem } from '../support/api.js';
import { circle, createFence, createStore, marketingTenant, north, offersFor, putShopper } from '../support/marketing.js';

/**
 * Footfall (GET /v1/geofences/{id}/visits) of a synthetic population replayed with `at`: counts in the store's
 * time zone, exact, and days or hours behind fewer than 10 distinct shoppers suppressed.
 */
const STORE = { lat: 40.7527, lng: -73.9772 };
const AWAY = north(STORE, 800);
const MIN = 60_000;

describe('footfall', () => {
  it('counts visits, distinct visitors and median dwell per local day, visits per hour of week, and suppresses small groups', async () => {
    const t = await marketingTenant();
    const store = await createStore(t.key, { name: 'Grand Central', location: STORE, timezone: 'America/New_York' });
    const fence = await createFence(t.key, { storeId: store.id, geometry: circle(STORE, 150) });
    // Monday 2026-10-05 10:00 in New York is 14:00 UTC (EDT). 12 shoppers arrive between 10:00 and 10:55 and stay
    // 3..36 minutes; one of them comes back at 15:10 for 20 minutes. Tuesday 11:00: 9 shoppers only.
    const monday = Date.parse('2026-10-05T14:00:00Z');
    const tuesday = Date.parse('2026-10-06T15:00:00Z');
    const visits: { shopper: string; start: number; dwell: number }[] = [];
    for (let i = 0; i < 12; i++) visits.push({ shopper: `mon-${i}`, start: monday + i * 5 * MIN, dwell: 3 * (i + 1) });
    visits.push({ shopper: 'mon-0', start: Date.parse('2026-10-05T19:10:00Z'), dwell: 20 });
    for (let i = 0; i < 9; i++) visits.push({ shopper: `tue-${i}`, start: tuesday + i * 3 * MIN, dwell: 10 });
    const shoppers = [...new Set(visits.map((v) => v.shopper))];
    await Promise.all(shoppers.map((s) => putShopper(t.key, s)));
    const fix = (shopperId: string, point: { lat: number; lng: number }, ms: number) =>
      offersFor(t.key, { shopperId, location: { ...point, accuracyM: 10 }, at: new Date(ms).toISOString() });
    // Each shopper's visits in order, the shoppers side by side.
    await Promise.all(
      shoppers.map(async (s) => {
        for (const v of visits.filter((x) => x.shopper === s)) {
          await fix(s, STORE, v.start);
          await fix(s, AWAY, v.start + v.dwell * MIN);
        }
      }),
    );

    const res = await api('GET', `/v1/geofences/${fence.id}/visits?from=2026-10-01&to=2026-10-31`, { key: t.key });
    expect(res.status).toBe(200);
    // 13 Monday stays, 3, 6, 9, 12, 15, 18, 20, 21, ... 36 minutes: the middle one is 20.
    const mondayDwell = visits.filter((v) => v.start < tuesday).map((v) => v.dwell);
    expect(mondayDwell.sort((a, b) => a - b)[6]).toBe(20);
    expect(res.body.byDay).toEqual([
      { date: '2026-10-05', visits: 13, visitors: 12, medianDwellMinutes: 20, suppressed: false },
      { date: '2026-10-06', visits: null, visitors: null, medianDwellMinutes: null, suppressed: true },
    ]);
    expect(res.body.byHourOfWeek).toEqual([
      { dayOfWeek: 1, hour: 10, visits: 12, suppressed: false },
      { dayOfWeek: 1, hour: 15, visits: null, suppressed: true },
      { dayOfWeek: 2, hour: 11, visits: null, suppressed: true },
    ]);

    // A range without those days: nothing.
    const before = await api('GET', `/v1/geofences/${fence.id}/visits?from=2026-09-01&to=2026-09-30`, { key: t.key });
    expect(before.body).toEqual({ byDay: [], byHourOfWeek: [] });
  });

  it('refuses a range over 92 days, a from after to and an impossible date with 422; another tenant gets 404', async () => {
    const t = await marketingTenant();
    const fence = await createFence(t.key, { geometry: circle(STORE, 150) });
    const url = (q: string) => `/v1/geofences/${fence.id}/visits?${q}`;
    expect((await api('GET', url('from=2026-01-01&to=2026-04-02'), { key: t.key })).status).toBe(200);
    expect(expectProblem(await api('GET', url('from=2026-01-01&to=2026-04-03'), { key: t.key }), 422).errors?.[0]?.path).toBe(
      'from',
    );
    expect(expectProblem(await api('GET', url('from=2026-05-02&to=2026-05-01'), { key: t.key }), 422).errors?.[0]?.path).toBe(
      'from',
    );
    expect(expectProblem(await api('GET', url('from=2026-02-30'), { key: t.key }), 422).errors?.[0]?.path).toBe('from');
    const other = await marketingTenant();
    expectProblem(await api('GET', url('from=2026-01-01&to=2026-01-31'), { key: other.key }), 404);
    // Default: the 30 days up to today.
    expect((await api('GET', `/v1/geofences/${fence.id}/visits`, { key: t.key })).body).toEqual({ byDay: [], byHourOfWeek: [] });
  });
});
