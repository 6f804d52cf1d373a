import type { Principal } from '../auth/principal.js';
import { canUseStore } from '../auth/principal.js';
import { conflict, forbidden, gone, notFound, unprocessable } from '../platform/errors.js';
import { newId } from '../platform/ids.js';
import { putConversion } from '../store/conversions.js';
import { addCounters, addDayCounters, addGeofenceCounters } from '../store/counters.js';
import { nowIso } from '../store/db.js';
import { listEligibility } from '../store/eligibility.js';
import { getOfferById, redeemOffer } from '../store/offers.js';
import { tenantRetention } from './offer-config.js';
import { markConverterSeen, markRedeemerSeen } from '../store/seen-markers.js';
import { getStore } from '../store/stores.js';
import { offerView } from './shoppers.js';

/** After the offer: redemption at the till and purchases (conversions) that measure lift. */

/**
 * Redeem an offer once: 404 unknown (or another tenant's, or with a publishable key another shopper's), 403
 * outside the key's stores, 409 twice, 410 expired.
 */
export async function redeem(p: Principal, offerId: string, body: { storeId?: string; amount?: number }) {
  const nowMs = Date.now();
  const retention = tenantRetention(p.tenantId, nowMs);
  const offer = await getOfferById(p.tenantId, offerId, retention, nowMs);
  if (!offer) throw notFound('Offer');
  // An app acts for the shopper of its Shopper-Token only: an offer id that leaked (webhooks, logs, another
  // phone) is not found, exactly like one that does not exist (regression: "redeem any offer").
  if (p.kind === 'publishable' && (!p.shopperId || offer.shopperId !== p.shopperId)) throw notFound('Offer');
  const atStore = body.storeId ?? offer.storeId;
  if (p.storeIds.length && !canUseStore(p, atStore)) throw forbidden('This key may only redeem at its own stores.');
  if (body.storeId && !(await getStore(p.tenantId, body.storeId)))
    throw unprocessable([{ path: 'storeId', message: 'No such store.' }]);
  if (offer.status === 'redeemed') throw conflict('already-redeemed', 'This offer was already redeemed.');
  const at = nowIso();
  if (Date.parse(offer.expiresAt) <= Date.now()) throw gone('This offer has expired.');
  const res = await redeemOffer(p.tenantId, offer.shopperId, offerId, at, atStore ?? null, body.amount ?? null);
  if (res === 'redeemed') throw conflict('already-redeemed', 'This offer was already redeemed.');
  if (!res) throw notFound('Offer');
  const day = at.slice(0, 10);
  const firstInDay = await markRedeemerSeen(p.tenantId, offer.shopperId, offer.campaignId, day, {
    retention: await retention,
    nowMs,
  });
  await Promise.all([
    addCounters(p.tenantId, offer.campaignId, { redeemed: 1 }),
    addDayCounters(p.tenantId, offer.campaignId, day, { redeemed: 1, redeemers: firstInDay ? 1 : 0 }),
    addGeofenceCounters(p.tenantId, offer.campaignId, offer.geofenceId, { redeemed: 1 }),
  ]);
  return offerView(res);
}

/** Attribution window of a conversion. */
export const ATTRIBUTION_DAYS = 7;

/**
 * Record a purchase and attribute it to every campaign the shopper was
 * eligible for (offered: treatment; held out: holdout) in the 7 days before
 * it. Offered wins when the shopper was on both sides in the window.
 * Servers only: the route needs `conversions:write`, which no publishable key
 * holds, and this refuses any key but a secret one as well (regression:
 * "forged results", an app's key recorded purchases that turned a
 * campaign's lift, and told which shoppers were held out).
 */
export async function recordConversion(
  p: Principal,
  body: { shopperId: string; storeId?: string; amount?: number; at?: string },
) {
  if (p.kind !== 'secret') throw forbidden("Purchases are recorded by the tenant's servers, with a secret key.");
  const atMs = body.at ? Date.parse(body.at) : Date.now();
  if (atMs > Date.now() + 5 * 60_000) throw unprocessable([{ path: 'at', message: 'Must not be in the future.' }]);
  if (p.storeIds.length && !canUseStore(p, body.storeId))
    throw forbidden('This key may only record purchases at its own stores.');
  if (body.storeId && !(await getStore(p.tenantId, body.storeId)))
    throw unprocessable([{ path: 'storeId', message: 'No such store.' }]);
  const from = new Date(atMs - ATTRIBUTION_DAYS * 86_400_000).toISOString();
  const to = new Date(atMs).toISOString();
  const nowMs = Date.now();
  const retention = tenantRetention(p.tenantId, nowMs);
  const elig = await listEligibility(p.tenantId, body.shopperId, from, to, retention, nowMs);
  const sides = new Map<string, 'treatment' | 'holdout'>();
  for (const e of elig) {
    if (e.side === 'treatment' || !sides.has(e.campaignId)) sides.set(e.campaignId, e.side);
  }
  const id = newId('cv');
  const attributedTo = [...sides].map(([campaignId, side]) => ({ campaignId, side }));
  await putConversion(p.tenantId, {
    id,
    shopperId: body.shopperId,
    storeId: body.storeId ?? null,
    amount: body.amount ?? null,
    at: to,
    attributedTo,
  });
  await Promise.all(
    attributedTo.map(async ({ campaignId, side }) => {
      const first = await markConverterSeen(p.tenantId, body.shopperId, campaignId, side, { retention: await retention, nowMs });
      await addCounters(
        p.tenantId,
        campaignId,
        side === 'treatment'
          ? { treatmentPurchases: 1, treatmentRevenue: body.amount ?? 0, treatmentConverters: first ? 1 : 0 }
          : { holdoutPurchases: 1, holdoutRevenue: body.amount ?? 0, holdoutConverters: first ? 1 : 0 },
      );
    }),
  );
  return { id, shopperId: body.shopperId, storeId: body.storeId ?? null, amount: body.amount ?? null, at: to, attributedTo };
}
