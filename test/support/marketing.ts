import type http from 'node:http';
import { startReceiver } from './receiver.js';
import { api, isAppKey, newKey, newTenant, setupCall, type ApiResponse } from './api.js';

/** A rate limit high enough for bursts of test traffic (the default secret key allows 50 rps, burst 100). */
export const FAST_RATE_LIMIT = { rps: 2000, burst: 4000 };

/** Both consents: the shopper may be sent offers. */
export const CONSENT = { location: true, marketing: true } as const;

export interface Tenant {
  id: string;
  adminKey: string;
  /** A secret key with every scope and FAST_RATE_LIMIT: use it for the test's traffic. */
  key: string;
}

/** A fresh tenant, its admin key and a fast secret key with every scope. */
export async function marketingTenant(): Promise<Tenant> {
  const t = await newTenant();
  const k = await newKey(t.adminKey, { kind: 'secret', rateLimit: FAST_RATE_LIMIT });
  return { ...t, key: k.key };
}

export interface Point {
  lat: number;
  lng: number;
}

/** Metres per degree of latitude on the mean Earth sphere. */
const M_PER_DEG_LAT = (Math.PI * 6_371_008.8) / 180;

/** The point `metres` due north of `p` (negative: south). */
export const north = (p: Point, metres: number): Point => ({ lat: p.lat + metres / M_PER_DEG_LAT, lng: p.lng });

export const circle = (p: Point, radiusM: number) => ({ type: 'Circle', coordinates: [p.lng, p.lat], radiusM });

function ok<T = any>(res: ApiResponse<T>, status: number, what: string): T {
  if (res.status !== status) throw new Error(`${what}: expected ${status}, got ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

// The set-up helpers below send as a careful client does (setupCall: an Idempotency-Key, a 503 sent again after its
// Retry-After), so a machine busy with other test files cannot fail a test in its set-up.

export async function createStore(key: string, body: { name: string; location: Point; timezone?: string }) {
  return ok(await setupCall('POST', '/v1/stores', { key, body: { timezone: 'Europe/Madrid', ...body } }), 201, 'create store');
}

export async function createPartner(key: string, body: { name: string; location: Point; category?: string }) {
  return ok(await setupCall('POST', '/v1/partners', { key, body: { category: 'bakery', ...body } }), 201, 'create partner');
}

export async function createFence(key: string, body: Record<string, unknown>) {
  return ok(await setupCall('POST', '/v1/geofences', { key, body: { name: 'fence', ...body } }), 201, 'create geofence');
}

export const OFFER = { title: 'Ten percent off', body: 'Show this screen at the till.', validForMinutes: 60 };

/**
 * POST /v1/campaigns, active, with trigger `inside` unless the body says otherwise: the tests of schedules,
 * audiences, caps, budgets and holdouts ask the same shopper again and again and judge each request on its own,
 * which is what `inside` does. The API's own default (`enter`) and the other triggers are tested in visits.test.ts.
 */
export async function createCampaign(key: string, body: Record<string, unknown>) {
  return ok(
    await setupCall('POST', '/v1/campaigns', {
      key,
      body: { name: 'campaign', kind: 'location', status: 'active', trigger: 'inside', offer: OFFER, ...body },
    }),
    201,
    'create campaign',
  );
}

/** PUT /v1/shoppers/{id} with both consents unless the profile says otherwise; throws unless 200. */
export async function putShopper(key: string, shopperId: string, profile: Record<string, unknown> = {}) {
  return ok(
    await setupCall('PUT', `/v1/shoppers/${shopperId}`, { key, body: { consent: CONSENT, ...profile } }),
    200,
    'put shopper',
  );
}

export interface Offer {
  id: string;
  campaignId: string;
  kind: 'location' | 'local_partner';
  title: string;
  body: string;
  code: string | null;
  geofenceId: string;
  storeId: string | null;
  partnerId: string | null;
  confidence: 'low' | 'medium' | 'high';
  expiresAt: string;
}

export interface OfferResponse {
  offers: Offer[];
  geofences: string[];
}

/**
 * POST /v1/offers. With a publishable key made by newKey() and no Shopper-Token
 * among `headers`, a token for the body's shopperId is sent (as an app would).
 */
export async function postOffers(key: string, body: Record<string, unknown>, headers: Record<string, string> = {}) {
  const withToken =
    isAppKey(key) && typeof body.shopperId === 'string' && !Object.keys(headers).some((h) => h.toLowerCase() === 'shopper-token');
  return api<OfferResponse>('POST', '/v1/offers', {
    key,
    body,
    headers,
    ...(withToken ? { shopper: body.shopperId as string } : {}),
  });
}

/** POST /v1/offers, expecting 200; returns the response body. */
export async function offersFor(key: string, body: Record<string, unknown>): Promise<OfferResponse> {
  return ok(await postOffers(key, body), 200, 'request offers');
}

export async function campaignStats(key: string, campaignId: string) {
  return ok(await api('GET', `/v1/campaigns/${campaignId}/stats`, { key }), 200, 'campaign stats');
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Poll `check` until it returns true or `timeoutMs` passes; returns the last answer. */
export async function eventually(check: () => boolean | Promise<boolean>, timeoutMs = 10_000, everyMs = 100): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return true;
    if (Date.now() >= end) return false;
    await sleep(everyMs);
  }
}

export interface Delivery {
  headers: http.IncomingHttpHeaders;
  raw: string;
  body: { type: string; offer: Offer & { status: string }; shopperId: string };
}

/** A webhook receiver on 127.0.0.1 (test/support/receiver.ts) whose deliveries come parsed. */
export async function webhookReceiver() {
  const rx = await startReceiver(() => 204);
  return {
    url: rx.url,
    get deliveries(): Delivery[] {
      return rx.received.map((r) => {
        let body: Delivery['body'];
        try {
          body = JSON.parse(r.body);
        } catch {
          body = { type: 'unparseable', offer: undefined as never, shopperId: '' };
        }
        return { headers: r.headers, raw: r.body, body };
      });
    },
    close: rx.close,
  };
}
