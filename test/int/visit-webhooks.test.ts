import type { IncomingHttpHeaders } from 'node:http';
import { Webhook } from 'standardwebhooks';
import { describe, it } from 'vitest';
import { api, unique } from '../support/api.js';
import {
  circle,
  createCampaign,
  createFence,
  eventually,
  marketingTenant,
  north,
  offersFor,
  type Point,
  putShopper,
  type Tenant,
} from '../support/marketing.js';
import { startReceiver } from '../support/receiver.js';

/**
 * Geofence events delivered to the tenant's webhook (API "Visits and geofence events", "Delivery and
 * webhooks"): signed like offers, `{type, shopperId, geofenceId, at, confidence}` (+ dwellMinutes), the event
 * id as webhook-id, only when subscribed, retried with the offers' backoff. Walks are replayed with `at`.
 */

const CENTRE: Point = { lat: 41.40231, lng: 2.17413 };
const AWAY = north(CENTRE, 500);
const GEOFENCE_EVENTS = ['geofence.entered', 'geofence.exited', 'geofence.dwelled'];

interface StoredEvent {
  id: string;
  type: string;
  shopperId: string;
  geofenceId: string;
  at: string;
  confidence: string;
  dwellMinutes?: number;
  deliveryStatus: string;
  deliveryAttempts: number;
}

const setHook = (t: Tenant, url: string, events: string[]) => api('PUT', '/v1/webhook', { key: t.key, body: { url, events } });

/** The shopper's stored geofence events, as their export shows them. */
async function storedEvents(t: Tenant, shopperId: string): Promise<StoredEvent[]> {
  const res = await api('GET', `/v1/shoppers/${shopperId}/export`, { key: t.key });
  if (res.status !== 200) throw new Error(`export: ${res.status}`);
  return res.body.visitEvents as StoredEvent[];
}

/** One fix of the shopper at `minute` of a walk that started an hour ago (a secret key's `at`). */
async function fix(t: Tenant, shopperId: string, point: Point, minute: number, t0: number) {
  const res = await offersFor(t.key, {
    shopperId,
    location: { ...point, accuracyM: 15 },
    at: new Date(t0 + minute * 60_000).toISOString(),
  });
  return (res as unknown as { events: { type: string; geofenceId: string; at: string }[] }).events;
}

/** A tenant with a circle fence, its webhook on a receiver (subscribed to `events`) and a consenting shopper. */
async function setup(events: string[], respond?: Parameters<typeof startReceiver>[0]) {
  const t = await marketingTenant();
  const fence = await createFence(t.key, { geometry: circle(CENTRE, 100) });
  const rx = await startReceiver(respond);
  const hook = await setHook(t, rx.url, events);
  if (hook.status !== 200) throw new Error(`webhook: ${hook.status} ${JSON.stringify(hook.body)}`);
  const shopperId = unique('s');
  await putShopper(t.key, shopperId);
  return { t, fence, rx, secret: hook.body.secret as string, shopperId, t0: Date.now() - 3600_000 };
}

/** The published Standard Webhooks verifier: the payload it accepts, or undefined. */
function verified(secret: string, headers: IncomingHttpHeaders, body: string): unknown {
  try {
    return new Webhook(secret).verify(body, headers as Record<string, string>);
  } catch {
    return undefined;
  }
}

describe.concurrent('geofence events on the webhook', () => {
  it('POSTs entered, dwelled and exited once each, signed, with the event id as webhook-id and no coordinate', async ({
    expect,
  }) => {
    const { t, fence, rx, secret, shopperId, t0 } = await setup(GEOFENCE_EVENTS);
    try {
      await createCampaign(t.key, { geofenceIds: [fence.id], trigger: 'dwell', dwellMinutes: 5 });
      const walk = [
        ...(await fix(t, shopperId, CENTRE, 0, t0)),
        ...(await fix(t, shopperId, CENTRE, 3, t0)),
        ...(await fix(t, shopperId, CENTRE, 6, t0)),
        ...(await fix(t, shopperId, AWAY, 7, t0)),
      ];
      expect(walk.map((e) => e.type)).toEqual(['geofence.entered', 'geofence.dwelled', 'geofence.exited']);

      expect(await eventually(() => rx.received.length >= 3, 15_000)).toBe(true);
      const stored = await storedEvents(t, shopperId);
      expect(
        await eventually(async () => (await storedEvents(t, shopperId)).every((e) => e.deliveryStatus === 'delivered'), 10_000),
      ).toBe(true);
      // Nothing more arrives: the dwell campaign's offer is not subscribed to, and no event comes twice.
      await new Promise((r) => setTimeout(r, 1500));
      expect(rx.received).toHaveLength(3);

      const byId = new Map(stored.map((e) => [e.id, e]));
      const got = rx.received.map((r) => {
        const event = byId.get(String(r.headers['webhook-id']));
        expect(event, 'webhook-id is a stored event id').toBeDefined();
        return { r, event: event! };
      });
      expect(got.map((g) => g.event.type).sort()).toEqual([...GEOFENCE_EVENTS].sort());
      for (const { r, event } of got) {
        const payload = JSON.parse(r.body);
        expect(verified(secret, r.headers, r.body)).toEqual(payload);
        expect(verified(secret, r.headers, r.body.replace(fence.id, `${fence.id}x`))).toBeUndefined();
        const fromWalk = walk.find((e) => e.type === event.type)!;
        expect(payload).toEqual({
          type: event.type,
          shopperId,
          geofenceId: fence.id,
          at: fromWalk.at,
          confidence: event.confidence,
          ...(event.type === 'geofence.dwelled' ? { dwellMinutes: 5 } : {}),
        });
        expect(['medium', 'high']).toContain(payload.confidence);
        for (const p of [CENTRE, AWAY]) for (const n of [p.lat, p.lng]) expect(r.body).not.toContain(String(n).slice(0, 6));
        expect(r.body).not.toMatch(/"lat"|"lng"|coordinates/);
      }
      const final = await storedEvents(t, shopperId);
      expect(final.map((e) => [e.deliveryStatus, e.deliveryAttempts])).toEqual(final.map(() => ['delivered', 1]));
    } finally {
      await rx.close();
    }
  });

  it('sends none to a webhook subscribed to offer.created only, and the events read not_configured', async ({ expect }) => {
    const { t, rx, shopperId, t0 } = await setup(['offer.created']);
    try {
      expect((await fix(t, shopperId, CENTRE, 0, t0)).map((e) => e.type)).toEqual(['geofence.entered']);
      expect((await fix(t, shopperId, AWAY, 2, t0)).map((e) => e.type)).toEqual(['geofence.exited']);
      expect(
        await eventually(async () => {
          const events = await storedEvents(t, shopperId);
          return events.length === 2 && events.every((e) => e.deliveryStatus === 'not_configured');
        }, 15_000),
      ).toBe(true);
      expect((await storedEvents(t, shopperId)).map((e) => e.deliveryAttempts)).toEqual([0, 0]);
      expect(rx.received).toHaveLength(0);
    } finally {
      await rx.close();
    }
  });

  it('retries an event the receiver refused with 500, and delivers it once, on its second attempt', async ({ expect }) => {
    const { t, rx, shopperId, t0 } = await setup(['geofence.entered'], (_req, n) => (n === 1 ? 500 : 204));
    try {
      expect((await fix(t, shopperId, CENTRE, 0, t0)).map((e) => e.type)).toEqual(['geofence.entered']);
      expect(
        await eventually(async () => (await storedEvents(t, shopperId))[0]?.deliveryStatus === 'delivered', 20_000, 200),
      ).toBe(true);
      const [event] = await storedEvents(t, shopperId);
      expect(event.deliveryAttempts).toBe(2);
      await new Promise((r) => setTimeout(r, 1500));
      expect(rx.received.map((r) => r.status)).toEqual([500, 204]);
      expect(rx.received.map((r) => r.headers['webhook-id'])).toEqual([event.id, event.id]);
      // The backoff after the first failed attempt (base 1 s locally) came between them.
      expect(rx.received[1].at - rx.received[0].at).toBeGreaterThanOrEqual(950);
    } finally {
      await rx.close();
    }
  });

  it('delivers no event of a shopper erased after it was queued (its first attempt failed), and keeps nothing of them', async ({
    expect,
  }) => {
    // The receiver fails the first two attempts and would take the third (about 3 s after the first locally).
    const { t, rx, shopperId, t0 } = await setup(['geofence.entered'], (_req, n) => (n <= 2 ? 500 : 204));
    try {
      expect((await fix(t, shopperId, CENTRE, 0, t0)).map((e) => e.type)).toEqual(['geofence.entered']);
      // The first attempt fails; the shopper is erased at once, before the third.
      expect(await eventually(() => rx.received.length >= 1, 15_000)).toBe(true);
      expect((await api('DELETE', `/v1/shoppers/${shopperId}`, { key: t.key })).status).toBe(204);
      await new Promise((r) => setTimeout(r, 7000));
      expect(rx.received.length).toBeGreaterThanOrEqual(1);
      expect(rx.received.every((r) => r.status === 500)).toBe(true);
      const after = await api('GET', `/v1/shoppers/${shopperId}/export`, { key: t.key });
      expect(after.body.visitEvents).toEqual([]);
      expect(after.body.visits).toEqual([]);
    } finally {
      await rx.close();
    }
  });
});
