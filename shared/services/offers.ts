import type { Principal } from '../auth/principal.js';
import { coarseCell } from '../domain/geo/coarse.js';
import {
  applyCaps,
  planOffers,
  refuseAfterWrite,
  renderOffers,
  isTooVague,
  type CampaignDecision,
} from '../domain/offers/index.js';
import { confidenceRank, hasConsent, mergeProfile, type InlineProfile, type ShopperProfile } from '../domain/targeting/index.js';
import { unprocessable } from '../platform/errors.js';
import { newId } from '../platform/ids.js';
import { errorFields, log } from '../platform/log.js';
import { queueOffers, MAX_BATCH } from '../delivery/queue.js';
import { campaignIdsForGeofences, getCampaignsByIds } from '../store/campaigns.js';
import { addCounters, addDayCounters, addGeofenceCounters, consumeBudget, refundBudget } from '../store/counters.js';
import { getPartnersByIds } from '../store/partners.js';
import { getStoresByIds } from '../store/stores.js';
import { getCaps, releaseCap, reserveCap } from '../store/frequency-caps.js';
import {
  deleteOfferRecords,
  publicOffer,
  putOfferRecords,
  setDeliveryStatus,
  type OfferRecords,
  type StoredOffer,
} from '../store/offers.js';
import { markCampaignShopperSeen, markDaySeen, markGeofenceSeen } from '../store/seen-markers.js';
import { getProfile } from '../store/shoppers.js';
import type { Campaign } from './campaigns.js';
import { findFences, type FenceMatch } from './geo.js';

/** What an offer request asks, as its request schema (`OfferRequestSchema`) validates it. */
export interface OfferRequest {
  shopperId: string;
  location: { lat: number; lng: number; accuracyM?: number };
  at?: string;
  profile?: InlineProfile;
}

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

/** A campaign's offer decision on this request. */
type Candidate = CampaignDecision<Campaign, FenceMatch>;

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
 *   (then planOffers decides every check but the cap, pure: no I/O)
 *   round 5: 1 BatchGetItem of partners + 1 BatchGetItem of frequency-cap items, in parallel
 *            (of the campaigns the plan offers or holds out; applyCaps and renderOffers finish the decision)
 *   round 6: per offer and held-out record 1 conditional cap write (campaigns with a cap; + retries on a race),
 *            then per offer 1 conditional budget ADD (+ 1 cap release when it is spent); all in parallel
 *   round 7: BatchWriteItem of offers, id pointers, eligibility and location (<= 25 items per call)
 *            + per offer/held-out record <= 3 distinct-shopper markers and 3 counter ADDs, in parallel
 * and at most ONE SQS call (SendMessageBatch of <= 10 offers).
 * Without both consents nothing is written (and the response is empty).
 */
export interface OfferContext {
  /** The time of the request (tests pass a fixed one). */
  now?: Date;
  /** The request's id (X-Request-Id): carried with its queued offers into the delivery logs. */
  requestId?: string;
}

/** The response, whether anything was stored, and how many campaigns held this shopper out (a metric, never in the response). */
export interface OfferOutcome {
  result: OfferResult;
  stored: boolean;
  heldOut: number;
}

export async function requestOffers(p: Principal, req: OfferRequest, ctx: OfferContext = {}): Promise<OfferOutcome> {
  const now = ctx.now ?? new Date();
  const { lat, lng } = req.location;
  const accuracyM = req.location.accuracyM;
  const tooVague = isTooVague(accuracyM);

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
  if (!hasConsent(profile)) return { result: { offers: [], geofences: [] }, stored: false, heldOut: 0 };
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
    getStoresByIds(p.tenantId, storeIds),
  ]);

  const input = {
    campaigns,
    fences: used,
    profile,
    shopperId: req.shopperId,
    location: req.location,
    now,
    at: scheduleAt,
    storeNames: new Map(stores.map((s) => [s.id, s.name])),
    maxOffers: OFFER_LIMITS.maxOffers,
  };
  // The decision (selectOffers) in its three steps, each made once: every check but the cap, which names the campaigns
  // whose cap items and partners are read; then the cap items (they only take offers away); then the offers' text.
  const planned = planOffers(input);
  const partnerIds = [
    ...new Set(planned.flatMap((d) => (d.decision === 'offer' && d.campaign.partnerId ? [d.campaign.partnerId] : []))),
  ];
  const capped = planned.filter((d) => d.decision !== 'not_eligible' && d.campaign.frequencyCap).map((d) => d.campaign.id);
  const [partners, caps] = await Promise.all([
    getPartnersByIds(p.tenantId, partnerIds),
    capped.length ? getCaps(p.tenantId, req.shopperId, capped) : new Map(),
  ]);
  const decided: Candidate[] = renderOffers(applyCaps(planned, caps, now), {
    ...input,
    partnerNames: new Map(partners.map((x) => [x.id, x.name])),
  });

  // Conditional writes, in parallel: the frequency cap slot first (per shopper; held-out records count within the
  // same cap), then for an offer the budget (per campaign), giving the slot back if the budget is spent.
  // A refused write turns the decision into frequency_capped / budget_exhausted.
  const settled = await Promise.all(
    decided.map(async (d): Promise<{ d: Candidate; slot?: string }> => {
      if (d.decision === 'not_eligible') return { d };
      const cap = d.campaign.frequencyCap;
      const slot = d.decision === 'offer' ? newId('of') : `h_${nowMs}_${Math.random().toString(36).slice(2, 8)}`;
      if (cap && !(await reserveCap(p.tenantId, req.shopperId, d.campaign.id, slot, cap, nowMs, caps.get(d.campaign.id))))
        return { d: refuseAfterWrite(d, 'frequency_capped') };
      if (d.decision === 'offer' && !(await consumeBudget(p.tenantId, d.campaign.id, d.campaign.budget?.maxOffers))) {
        if (cap) await releaseCap(p.tenantId, req.shopperId, d.campaign.id, slot);
        return { d: refuseAfterWrite(d, 'budget_exhausted') };
      }
      return { d, slot };
    }),
  );
  // Held-out shoppers: recorded (within the same frequency cap), never offered.
  const holdoutRecords = settled.flatMap(({ d, slot }) => (d.decision === 'held_out' && slot ? [{ ...d, slot }] : []));
  const granted = settled.flatMap(({ d, slot }) => (d.decision === 'offer' && slot ? [{ ...d, offerId: slot }] : []));

  const offers: StoredOffer[] = granted.map(({ campaign, offer, offerId }) => ({
    id: offerId,
    tenantId: p.tenantId,
    shopperId: req.shopperId,
    campaignId: campaign.id,
    kind: campaign.kind,
    title: offer.title,
    body: offer.body,
    code: offer.code,
    geofenceId: offer.geofenceId,
    storeId: offer.storeId,
    partnerId: offer.partnerId,
    confidence: offer.confidence,
    priority: campaign.priority ?? 0,
    createdAt: nowIso,
    expiresAt: new Date(nowMs + campaign.offer.validForMinutes * 60_000).toISOString(),
    status: 'active',
    deliveryStatus: 'pending',
    deliveryAttempts: 0,
  }));

  const day = nowIso.slice(0, 10);
  const records: OfferRecords = {
    offers,
    eligibility: [
      ...granted.map((g) => ({
        campaignId: g.campaign.id,
        side: 'treatment' as const,
        offerId: g.offerId,
        geofenceId: g.match.fence.id,
        at: nowIso,
      })),
      ...holdoutRecords.map((h) => ({
        campaignId: h.campaign.id,
        side: 'holdout' as const,
        offerId: null,
        geofenceId: h.match.fence.id,
        at: nowIso,
      })),
    ],
    location: used.length ? { cell: coarseCell(lat, lng), at: nowIso } : undefined,
  };
  try {
    await putOfferRecords(p.tenantId, req.shopperId, records);
  } catch (err) {
    // Nothing half-written: take back what this request claimed, then answer 503 (the client retries).
    await Promise.allSettled([
      deleteOfferRecords(p.tenantId, req.shopperId, records),
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
      failed = await queueOffers(
        offers.map((o) => ({ type: 'offer.created', tenantId: p.tenantId, shopperId: o.shopperId, offerId: o.id })),
        ctx.requestId,
      );
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
    heldOut: holdoutRecords.length,
  };
}

/** Count one exposure (offer or held-out record) in the campaign's totals and its day / geofence rows, distinct shoppers exactly once. */
async function countExposure(
  tenantId: string,
  shopperId: string,
  campaignId: string,
  side: 'treatment' | 'holdout',
  day: string,
  geofenceId: string,
) {
  const [firstInCampaign, firstInDay, firstInFence] = await Promise.all([
    markCampaignShopperSeen(tenantId, shopperId, campaignId, side),
    side === 'treatment' ? markDaySeen(tenantId, shopperId, campaignId, day) : Promise.resolve(false),
    side === 'treatment' ? markGeofenceSeen(tenantId, shopperId, campaignId, geofenceId) : Promise.resolve(false),
  ]);
  await Promise.all([
    side === 'holdout'
      ? addCounters(tenantId, campaignId, { heldOut: 1, eligible: 1, holdoutShoppers: firstInCampaign ? 1 : 0 })
      : firstInCampaign
        ? addCounters(tenantId, campaignId, { treatmentShoppers: 1 })
        : undefined,
    side === 'treatment' ? addDayCounters(tenantId, campaignId, day, { offered: 1, shoppers: firstInDay ? 1 : 0 }) : undefined,
    side === 'treatment'
      ? addGeofenceCounters(tenantId, campaignId, geofenceId, { offered: 1, shoppers: firstInFence ? 1 : 0 })
      : undefined,
  ]);
}
