import type { z } from 'zod';
import type { Principal } from '../auth/principal.js';
import { coarseCell } from '../domain/geo/coarse.js';
import { distanceToAnchorM, GEO_LIMITS } from '../domain/geo/index.js';
import {
  confidenceRank,
  evaluateAudience,
  hasConsent,
  isHeldOut,
  isInSchedule,
  meetsMinConfidence,
  mergeProfile,
  renderOfferText,
  type ShopperProfile,
} from '../domain/targeting/index.js';
import type { OfferRequestSchema } from '../http/schemas-offers.js';
import { unprocessable } from '../platform/errors.js';
import { newId } from '../platform/ids.js';
import { errorFields, log } from '../platform/log.js';
import { queueOffers, MAX_BATCH } from '../queue/offers.js';
import { campaignIdsForGeofences, getCampaignsByIds } from '../store/campaigns.js';
import { addBreakdown, addCounters, consumeBudget, markSeen, refundBudget } from '../store/counters.js';
import { getEntitiesByIds } from '../store/entities.js';
import {
  eligibilityPut,
  getCaps,
  locationPut,
  offerPuts,
  releaseCap,
  reserveCap,
  setDeliveryStatus,
  writeItems,
  type StoredOffer,
} from '../store/offers.js';
import { getProfile } from '../store/shoppers.js';
import type { Campaign } from './campaigns.js';
import { findFences, type FenceMatch, type Partner, type Store } from './geo.js';

export type OfferRequest = z.output<typeof OfferRequestSchema>;

const AT_SKEW_PUBLISHABLE_MS = 10 * 60_000;

/** Bounds of the hot path (see requestOffers). */
export const OFFER_LIMITS = {
  /** Matched fences whose campaigns are read (best confidence first). */
  maxMatchedFences: 10,
  /** Campaigns read per request (one BatchGetItem). */
  maxCampaigns: 100,
  /** Offers made per request: one SQS SendMessageBatch carries them all. */
  maxOffers: MAX_BATCH,
} as const;

export interface OfferResult {
  offers: ReturnType<typeof publicOffer>[];
  geofences: string[];
}

export const publicOffer = (o: StoredOffer) => ({
  id: o.id,
  campaignId: o.campaignId,
  kind: o.kind as 'location' | 'local_partner',
  title: o.title,
  body: o.body,
  code: o.code,
  geofenceId: o.geofenceId,
  storeId: o.storeId,
  partnerId: o.partnerId,
  confidence: o.confidence as 'low' | 'medium' | 'high',
  expiresAt: o.expiresAt,
});

interface Candidate {
  campaign: Campaign;
  match: FenceMatch;
}

/**
 * POST /v1/offers: location → geofences → campaigns → offers.
 *
 * DynamoDB cost is bounded and independent of how many geofences and
 * campaigns the tenant has (F = matched fences <= 10, C = campaigns <= 100,
 * O = offers + held-out records <= 10 + C):
 *   round 1: 3 cell Queries (one per index resolution) + 1 GetItem (profile), in parallel
 *   round 2: 1 BatchGetItem of candidate fences (one per 100 fences within reach of the point, <= 5)
 *   round 3: <= F Queries of campaign links, in parallel
 *   round 4: 1 BatchGetItem of <= C campaigns + 1 BatchGetItem of the matched fences' stores, in parallel
 *   round 5: 1 BatchGetItem of partners + 1 BatchGetItem of frequency-cap items, in parallel
 *   round 6: per offer 1 cap write (+ retries on a race) and 1 conditional budget ADD, in parallel
 *   round 7: BatchWriteItem of offers, id pointers, eligibility and location (<= 25 items per call)
 *            + per offer/held-out record <= 3 distinct-shopper markers and 3 counter ADDs, in parallel
 * and at most ONE SQS call (SendMessageBatch of <= 10 offers).
 * Without both consents nothing is written (and the response is empty).
 */
export async function requestOffers(p: Principal, req: OfferRequest, now = new Date()): Promise<{ result: OfferResult; stored: boolean }> {
  const { lat, lng } = req.location;
  const accuracyM = req.location.accuracyM;
  const tooVague = (accuracyM ?? 0) > GEO_LIMITS.maxAccuracyM;

  const nowMs = now.getTime();
  const nowIso = now.toISOString();
  const scheduleAt = req.at ? new Date(req.at) : now;
  // `at` lets servers evaluate schedules for a past or planned instant; an app (publishable key) may only
  // report a location a few minutes old, so it cannot step outside a campaign's hours.
  if (p.kind === 'publishable' && Math.abs(scheduleAt.getTime() - nowMs) > AT_SKEW_PUBLISHABLE_MS)
    throw unprocessable([{ path: 'at', message: 'With a publishable key, at must be within 10 minutes of now.' }]);

  // Round 1 and 2: the profile alongside the spatial lookup. A store-restricted key
  // (e.g. one store's own app) only sees its stores' fences.
  const [stored, found] = await Promise.all([
    getProfile<ShopperProfile>(p.tenantId, req.shopperId),
    tooVague ? Promise.resolve([]) : findFences(p.tenantId, lat, lng, accuracyM),
  ]);
  const profile = mergeProfile(stored, req.profile);
  if (!hasConsent(profile)) return { result: { offers: [], geofences: [] }, stored: false };
  const matches = found.filter((m) => !p.storeIds.length || (m.fence.storeId !== null && p.storeIds.includes(m.fence.storeId)));
  matches.sort((a, b) => confidenceRank(b.confidence) - confidenceRank(a.confidence) || a.fence.id.localeCompare(b.fence.id));
  const used = matches.slice(0, OFFER_LIMITS.maxMatchedFences);
  const byFence = new Map(used.map((m) => [m.fence.id, m]));

  // Campaigns on those fences; the campaign item is the truth (it must still list the fence).
  let campaignIds = await campaignIdsForGeofences(p.tenantId, [...byFence.keys()]);
  if (campaignIds.length > OFFER_LIMITS.maxCampaigns) {
    log('warn', 'offer campaigns capped', { tenantId: p.tenantId, campaigns: campaignIds.length });
    campaignIds = campaignIds.sort().slice(0, OFFER_LIMITS.maxCampaigns);
  }
  const storeIds = [...new Set(used.map((m) => m.fence.storeId).filter((s): s is string => !!s))];
  const [campaigns, stores] = await Promise.all([
    getCampaignsByIds<Campaign>(p.tenantId, campaignIds),
    getEntitiesByIds<Store>(p.tenantId, 'STORE', storeIds),
  ]);

  const candidates: Candidate[] = [];
  for (const c of campaigns) {
    if (c.status !== 'active') continue;
    const best = c.geofenceIds
      .map((g) => byFence.get(g))
      .filter((m): m is FenceMatch => !!m)
      .sort((a, b) => confidenceRank(b.confidence) - confidenceRank(a.confidence))[0];
    if (!best) continue;
    if (!meetsMinConfidence(best.confidence, c.minConfidence)) continue;
    if (!isInSchedule(c.schedule, scheduleAt)) continue;
    if (!evaluateAudience(c.audience, profile, now)) continue;
    candidates.push({ campaign: c, match: best });
  }
  candidates.sort((a, b) => (b.campaign.priority ?? 0) - (a.campaign.priority ?? 0) || a.campaign.id.localeCompare(b.campaign.id));

  const heldOut = candidates.filter((c) => isHeldOut(c.campaign.id, req.shopperId, c.campaign.holdoutPercent ?? 0));
  const treatment = candidates.filter((c) => !heldOut.includes(c)).slice(0, OFFER_LIMITS.maxOffers);

  const partnerIds = [...new Set(treatment.map((c) => c.campaign.partnerId).filter((x): x is string => !!x))];
  const capped = [...treatment, ...heldOut].filter((c) => c.campaign.frequencyCap).map((c) => c.campaign.id);
  const [partners, caps] = await Promise.all([
    getEntitiesByIds<Partner>(p.tenantId, 'PARTNER', partnerIds),
    capped.length ? getCaps(p.tenantId, req.shopperId, capped) : new Map(),
  ]);
  const storeName = new Map(stores.map((s) => [s.id, s.name]));
  const partnerName = new Map(partners.map((x) => [x.id, x.name]));

  // Held-out shoppers: recorded (within the same frequency cap), never offered.
  const holdoutRecords = (
    await Promise.all(
      heldOut.map(async (c) => {
        const cap = c.campaign.frequencyCap;
        const slot = `h_${nowMs}_${Math.random().toString(36).slice(2, 8)}`;
        if (cap && !(await reserveCap(p.tenantId, req.shopperId, c.campaign.id, slot, cap, nowMs, caps.get(c.campaign.id)))) return undefined;
        return { ...c, slot };
      }),
    )
  ).filter((c): c is Candidate & { slot: string } => !!c);

  // Treatment: frequency cap slot first (per shopper), then the budget (per campaign); give the slot back if the budget is spent.
  const granted = (
    await Promise.all(
      treatment.map(async (c) => {
        const offerId = newId('of');
        const cap = c.campaign.frequencyCap;
        if (cap && !(await reserveCap(p.tenantId, req.shopperId, c.campaign.id, offerId, cap, nowMs, caps.get(c.campaign.id)))) return undefined;
        if (!(await consumeBudget(p.tenantId, c.campaign.id, c.campaign.budget?.maxOffers))) {
          if (cap) await releaseCap(p.tenantId, req.shopperId, c.campaign.id, offerId);
          return undefined;
        }
        return { ...c, offerId };
      }),
    )
  ).filter((c): c is Candidate & { offerId: string } => !!c);

  const offers: StoredOffer[] = granted.map(({ campaign, match, offerId }) => {
    const text = renderOfferText(campaign.offer, {
      firstName: profile.firstName,
      storeName: match.fence.storeId ? storeName.get(match.fence.storeId) : undefined,
      partnerName: campaign.partnerId ? partnerName.get(campaign.partnerId) : undefined,
      distanceM: distanceToAnchorM(match.fence.geometry, lat, lng),
    });
    return {
      id: offerId,
      tenantId: p.tenantId,
      shopperId: req.shopperId,
      campaignId: campaign.id,
      kind: campaign.kind,
      title: text.title,
      body: text.body,
      code: campaign.offer.code ?? null,
      geofenceId: match.fence.id,
      storeId: match.fence.storeId,
      partnerId: campaign.partnerId ?? null,
      confidence: match.confidence,
      priority: campaign.priority ?? 0,
      createdAt: nowIso,
      expiresAt: new Date(nowMs + campaign.offer.validForMinutes * 60_000).toISOString(),
      status: 'active',
      deliveryStatus: 'pending',
      deliveryAttempts: 0,
    };
  });

  const day = nowIso.slice(0, 10);
  const records = [
    ...offers.flatMap(offerPuts),
    ...granted.map((g) =>
      eligibilityPut(p.tenantId, req.shopperId, { campaignId: g.campaign.id, side: 'treatment', offerId: g.offerId, geofenceId: g.match.fence.id, at: nowIso }),
    ),
    ...holdoutRecords.map((h) =>
      eligibilityPut(p.tenantId, req.shopperId, { campaignId: h.campaign.id, side: 'holdout', offerId: null, geofenceId: h.match.fence.id, at: nowIso }),
    ),
    ...(used.length ? [locationPut(p.tenantId, req.shopperId, coarseCell(lat, lng), nowIso)] : []),
  ];
  try {
    await writeItems(records);
  } catch (err) {
    // Nothing half-written: take back what this request claimed, then answer 503 (the client retries).
    await Promise.allSettled([
      writeItems(records.map((r) => ({ DeleteRequest: { Key: { pk: String(r.PutRequest.Item.pk), sk: String(r.PutRequest.Item.sk) } } }))),
      ...granted.map(async (g) => {
        await refundBudget(p.tenantId, g.campaign.id);
        if (g.campaign.frequencyCap) await releaseCap(p.tenantId, req.shopperId, g.campaign.id, g.offerId);
      }),
      ...holdoutRecords.map((h) => h.campaign.frequencyCap && releaseCap(p.tenantId, req.shopperId, h.campaign.id, h.slot)),
    ]);
    throw err;
  }
  // Stats after the offers stand (atomic ADDs; the SDK retries them).
  await Promise.all([
    ...granted.map((g) => countExposure(p.tenantId, req.shopperId, g.campaign.id, 'treatment', day, g.match.fence.id)),
    ...holdoutRecords.map((h) => countExposure(p.tenantId, req.shopperId, h.campaign.id, 'holdout', day, h.match.fence.id)),
  ]);

  // One SQS call for all offers. If SQS refuses, the offers still stand and read deliveryStatus "failed".
  if (offers.length) {
    let failed: string[];
    try {
      failed = await queueOffers(offers.map((o) => ({ type: 'offer.created', tenantId: p.tenantId, shopperId: o.shopperId, offerId: o.id })));
    } catch (err) {
      log('error', 'offer queueing failed', { tenantId: p.tenantId, offers: offers.length, ...errorFields(err) });
      failed = offers.map((o) => o.id);
    }
    await Promise.all(
      failed.map(async (id) => {
        await setDeliveryStatus(p.tenantId, req.shopperId, id, 'failed', 0, 'queue_unavailable');
        const o = offers.find((x) => x.id === id)!;
        await addCounters(p.tenantId, o.campaignId, { deliveryFailed: 1 });
      }),
    );
  }

  return {
    result: {
      offers: offers.sort((a, b) => b.priority - a.priority || a.campaignId.localeCompare(b.campaignId)).map(publicOffer),
      geofences: matches.map((m) => m.fence.id),
    },
    stored: true,
  };
}

/** Count one exposure (offer or held-out record) in the campaign's totals and its day / geofence rows, distinct shoppers exactly once. */
async function countExposure(tenantId: string, shopperId: string, campaignId: string, side: 'treatment' | 'holdout', day: string, geofenceId: string) {
  const [firstInCampaign, firstInDay, firstInFence] = await Promise.all([
    markSeen(tenantId, shopperId, campaignId, side === 'treatment' ? 'T' : 'H'),
    side === 'treatment' ? markSeen(tenantId, shopperId, campaignId, `D#${day}`) : Promise.resolve(false),
    side === 'treatment' ? markSeen(tenantId, shopperId, campaignId, `G#${geofenceId}`) : Promise.resolve(false),
  ]);
  await Promise.all([
    side === 'holdout'
      ? addCounters(tenantId, campaignId, { heldOut: 1, eligible: 1, holdoutShoppers: firstInCampaign ? 1 : 0 })
      : firstInCampaign
        ? addCounters(tenantId, campaignId, { treatmentShoppers: 1 })
        : undefined,
    side === 'treatment' ? addBreakdown(tenantId, campaignId, 'DAY', day, { offered: 1, shoppers: firstInDay ? 1 : 0 }) : undefined,
    side === 'treatment' ? addBreakdown(tenantId, campaignId, 'GF', geofenceId, { offered: 1, shoppers: firstInFence ? 1 : 0 }) : undefined,
  ]);
}
