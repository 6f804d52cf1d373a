import { expect } from 'vitest';
import { api, isAppKey, setupCall, unique } from './api.js';

/** A store, a circular fence around it and an active campaign on it; returns their ids. */
export async function storeFenceCampaign(
  key: string,
  at: { lat: number; lng: number },
  campaign: Record<string, unknown> = {},
  radiusM = 200,
) {
  const store = await setupCall('POST', '/v1/stores', {
    key,
    body: { name: unique('store'), location: at, timezone: 'Europe/Madrid' },
  });
  expect(store.status).toBe(201);
  const fence = await setupCall('POST', '/v1/geofences', {
    key,
    body: { name: unique('fence'), storeId: store.body.id, geometry: { type: 'Circle', coordinates: [at.lng, at.lat], radiusM } },
  });
  expect(fence.status).toBe(201);
  // `inside` unless told: these fixtures judge each request on its own (see createCampaign in marketing.ts).
  const c = await setupCall('POST', '/v1/campaigns', {
    key,
    body: {
      name: unique('campaign'),
      kind: 'location',
      status: 'active',
      trigger: 'inside',
      geofenceIds: [fence.body.id],
      offer: { title: 'Hello {{firstName}}', body: 'Welcome to {{storeName}}', code: 'WELCOME', validForMinutes: 60 },
      ...campaign,
    },
  });
  if (c.status !== 201) throw new Error(`campaign: ${c.status} ${JSON.stringify(c.body)}`);
  return { storeId: store.body.id as string, geofenceId: fence.body.id as string, campaignId: c.body.id as string };
}

export async function consentingShopper(key: string, shopperId: string, profile: Record<string, unknown> = {}) {
  const res = await api('PUT', `/v1/shoppers/${shopperId}`, {
    key,
    body: { ...profile, consent: { location: true, marketing: true } },
  });
  if (res.status !== 200) throw new Error(`shopper: ${res.status} ${JSON.stringify(res.body)}`);
}

export async function offersFor(
  key: string,
  shopperId: string,
  at: { lat: number; lng: number },
  extra: Record<string, unknown> = {},
) {
  // A publishable key made by newKey() sends a Shopper-Token for the shopper, as an app would.
  const res = await api('POST', '/v1/offers', {
    key,
    body: { shopperId, location: { ...at, accuracyM: 10 }, ...extra },
    ...(isAppKey(key) ? { shopper: shopperId } : {}),
  });
  if (res.status !== 200) throw new Error(`offers: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body as {
    offers: { id: string; campaignId: string; geofenceId: string; title: string; body: string }[];
    geofences: string[];
    events: { type: string; geofenceId: string; at: string; dwellMinutes?: number }[];
  };
}
