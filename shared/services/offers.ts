import type { Principal } from '../auth/principal.js';
import { coarseCell } from '../domain/geo/coarse.js';
import { GEO_LIMITS } from '../domain/geo/index.js';
import {
  applyCaps,
  planOffers,
  refuseAfterWrite,
  renderOffers,
  isTooVague,
  type CampaignDecision,
} from '../domain/offers/index.js';
import {
  confidenceRank,
  deviceProfileErrors,
  hasConsent,
  mergeProfile,
  type InlineProfile,
  type ShopperProfile,
} from '../domain/targeting/index.js';
import { IDEMPOTENCY_LEASE_S } from '../platform/deadline.js';
import { type FieldError, forbidden, unauthorized, unavailable, unprocessable } from '../platform/errors.js';
import { newId } from '../platform/ids.js';
import { log } from '../platform/log.js';
import { TtlCache } from '../platform/ttl-cache.js';
import { MAX_BATCH } from '../delivery/queue.js';
import { readBudgetShards, shardAllowance, shardCount, spendBudgetItem } from '../store/budget.js';
import { getShopperCaps, takeCapSlotItem } from '../store/frequency-caps.js';
import { offerRecordPuts, publicOffer, type OfferRecords, type StoredOffer } from '../store/offers.js';
import { getProfile } from '../store/shoppers.js';
import { footfallDwellPut, footfallEntryPut } from '../store/footfall.js';
import { localDayHour } from '../domain/visits/footfall.js';
import { visitEventPuts } from '../store/visit-events.js';
import { getVisits, putVisitsItem, visitStateOf } from '../store/visits.js';
import { advanceVisits, EXIT_MARGIN_M, firedBy, NO_VISITS, type VisitEvent, type VisitStep } from '../domain/visits/visits.js';
import { MAX_TRANSACT_ITEMS, transactWrite, type TaggedItem } from '../store/transactions.js';
import type { Campaign } from './campaigns.js';
import { findFencesNear, type FenceMatch } from './geo.js';
import {
  campaignsByIds,
  configCacheTtlS,
  storesByIds,
  tenantLinks,
  tenantPartnerNames,
  tenantRetention,
} from './offer-config.js';

/** What an offer request asks, as its request schema (`OfferRequestSchema`) validates it. */
export interface OfferRequest {
  /** Required with a secret key; with a publishable key it may be omitted (the shopper token's `sub`). */
  shopperId?: string;
  location: { lat: number; lng: number; accuracyM?: number };
  at?: string;
  profile?: InlineProfile;
}

const AT_SKEW_PUBLISHABLE_MS = 10 * 60_000;

/**
 * The shopper an offer request acts for. A publishable key acts only for the
 * shopper its verified Shopper-Token names (`principal.shopperId`): without
 * one, 401; a body `shopperId` that differs, 403; none, the token's. A secret
 * key names the shopper in the body (required: 422).
 */
export function offerShopperId(p: Principal, bodyShopperId: string | undefined): string {
  if (p.kind === 'publishable') {
    if (!p.shopperId) throw unauthorized('A publishable key needs a valid Shopper-Token.');
    if (bodyShopperId !== undefined && bodyShopperId !== p.shopperId)
      throw forbidden('shopperId differs from the shopper of the Shopper-Token.');
    return p.shopperId;
  }
  if (bodyShopperId === undefined) throw unprocessable([{ path: 'shopperId', message: 'Required.' }]);
  return bodyShopperId;
}

/**
 * What a request may not carry for its key, before any I/O: a publishable key's inline profile fields beyond
 * consent and its deviceAttributes ("audience spoofing"), and an `at` away from now.
 */
function requestErrors(p: Principal, req: OfferRequest, scheduleAt: Date, nowMs: number): FieldError[] {
  if (p.kind !== 'publishable') return [];
  const errors = req.profile ? deviceProfileErrors(req.profile, p.deviceAttributes ?? []) : [];
  // `at` lets servers evaluate schedules for a past or planned instant; an app may only report a location a
  // few minutes old, so it cannot step outside a campaign's hours.
  if (Math.abs(scheduleAt.getTime() - nowMs) > AT_SKEW_PUBLISHABLE_MS)
    errors.push({ path: 'at', message: 'With a publishable key, at must be within 10 minutes of now.' });
  return errors;
}

/** Bounds of the hot path (see requestOffers). */
export const OFFER_LIMITS = {
  /** Matched fences whose campaigns are read (best confidence first). */
  maxMatchedFences: 10,
  /** Campaigns read per request (one BatchGetItem). */
  maxCampaigns: 100,
  /** Offers made per request: one SQS SendMessageBatch carries them all. */
  maxOffers: MAX_BATCH,
  /** Held-out records written per request (each is 2 transaction items); more are dropped and logged. */
  maxHeldOutRecords: 20,
  /** Transaction attempts when a cap, a budget shard or another transaction got in the way (backoff between, within the deadline). */
  maxCommitAttempts: 10,
} as const;

export interface OfferResult {
  offers: ReturnType<typeof publicOffer>[];
  geofences: string[];
  /** The visit events of this fix (domain/visits). */
  events: OfferEvent[];
}

/** A campaign's offer decision on this request. */
type Candidate = CampaignDecision<Campaign, FenceMatch>;

/**
 * POST /v1/offers: location → geofences → campaigns → offers.
 *
 * Sequential DynamoDB rounds, whatever the tenant's size (pinned by
 * test/int/hot-path-rounds.test.ts):
 *   round 1: the cell Queries of the point (one per index resolution; each row carries its fence's
 *            shape near the cell, so no fence is read) + the profile GetItem + the shopper's frequency-cap
 *            Query, all in parallel. No match, or no consent: done, nothing written.
 *            Beside them, from the container's cache (at most CONFIG_CACHE_TTL_S old), or read in this
 *            same round when cold: the tenant's fence → campaign links (LINK_SHARDS Queries) and partner
 *            names (one Query).
 *   round 2, only when the cache lacks them: the matched fences' campaigns and stores (two BatchGetItem,
 *            in parallel).
 *   (then the decision: pure, no I/O)
 *   last round (2 warm, 3 cold): ONE TransactWriteItems: the offers, their id pointers, the eligibility records, the last
 *            location, a frequency-cap slot per capped campaign (conditional on the version read) and a
 *            budget unit per offer (a conditional ADD on one of the campaign's budget shards). All or
 *            nothing: no slot or unit is ever claimed without its offer. A refused condition (a cap or
 *            shard filled meanwhile) decides again on fresh state: + 1-2 rounds, only under a race.
 * Delivery and stats are not on this path: the table's stream (the outbox) queues each new offer to
 * SQS and counts each eligibility record into the campaign's stats (functions/stream.ts).
 * Without both consents nothing is written (and the response is empty).
 */
export interface OfferContext {
  /** The time of the request (tests pass a fixed one). */
  now?: Date;
  /** The request's id (X-Request-Id): carried with its queued offers into the delivery logs. */
  requestId?: string;
  /**
   * More items for the offers' transaction, given the response (the request's idempotency record, so that a
   * request that wrote its offers is replayed, never run twice). A refused extra means another request took
   * over: the answer is 503 and nothing is written.
   */
  commitExtras?: (result: OfferResult) => TaggedItem[];
}

/** The response, whether anything was stored, and how many campaigns held this shopper out (a metric, never in the response). */
export interface OfferOutcome {
  result: OfferResult;
  stored: boolean;
  heldOut: number;
  /** The commitExtras were written with the offers. */
  committedExtras?: boolean;
}

const EMPTY: OfferOutcome = { result: { offers: [], geofences: [], events: [] }, stored: false, heldOut: 0 };

/**
 * Budget shards this container found full, per campaign and budget size (so a full shard is not tried again).
 * Kept at least 1 s even with the configuration cache off: a request's retries must remember what it learnt.
 */
const fullShards = new TtlCache<Set<number>>(() => Math.max(1, configCacheTtlS()) * 1000, 10_000);

export async function requestOffers(p: Principal, body: OfferRequest, ctx: OfferContext = {}): Promise<OfferOutcome> {
  const now = ctx.now ?? new Date();
  const { lat, lng } = body.location;
  const accuracyM = body.location.accuracyM;
  const tooVague = isTooVague(accuracyM);

  const nowMs = now.getTime();
  const nowIso = now.toISOString();
  const scheduleAt = body.at ? new Date(body.at) : now;
  // The time of the fix: it drives visits and dwell (a server may replay a recorded walk with `at`). An app's `at`
  // may be up to 10 minutes off, but never ahead of now for visits: a future time would freeze the shopper's
  // visit state (older fixes change nothing) or fake a stay.
  const fixAt = p.kind === 'publishable' && scheduleAt.getTime() > nowMs ? now : scheduleAt;
  const req = { ...body, shopperId: offerShopperId(p, body.shopperId) };
  const refused = requestErrors(p, req, scheduleAt, nowMs);
  if (refused.length) throw unprocessable(refused);

  // Round 1: the spatial lookup (with the fences near enough to keep a visit), the profile, the cap states and the
  // visit state, in parallel; beside them, when the container's cache is cold, the tenant's fence → campaign links
  // and partner names (not awaited by a request that matches nothing: they fill the cache for the next one).
  // A fix too vague to match changes nothing: neither the lookup nor the visits are read.
  const config = Promise.all([tenantLinks(p.tenantId, nowMs), tenantPartnerNames(p.tenantId, nowMs)]);
  config.catch(() => undefined);
  // The tenant's retention (cached like the configuration): a profile or visit state past it is absent.
  const retention = tenantRetention(p.tenantId, nowMs);
  const [stored, found, capStates, visitsRead] = await Promise.all([
    getProfile<ShopperProfile>(p.tenantId, req.shopperId, retention, nowMs),
    tooVague ? Promise.resolve(NOTHING_FOUND) : findFencesNear(p.tenantId, lat, lng, accuracyM, EXIT_MARGIN_M),
    tooVague ? Promise.resolve(new Map()) : getShopperCaps(p.tenantId, req.shopperId, nowMs),
    tooVague ? Promise.resolve(NO_VISITS) : getVisits(p.tenantId, req.shopperId, nowMs, retention),
  ]);
  // A publishable key's inline profile is the device's: it can withdraw consent and set its deviceAttributes, no more.
  const profile = mergeProfile(stored, req.profile, p.kind === 'publishable' ? 'device' : 'server');
  if (!hasConsent(profile)) return EMPTY;
  // A store-restricted key (e.g. one store's own app) only sees its stores' fences, and moves only their visits.
  const owns = (storeId: string | null) => !p.storeIds.length || (storeId !== null && p.storeIds.includes(storeId));
  const matches = found.matches.filter((m) => owns(m.fence.storeId));
  matches.sort((a, b) => confidenceRank(b.confidence) - confidenceRank(a.confidence) || a.fence.id.localeCompare(b.fence.id));
  const used = matches.slice(0, OFFER_LIMITS.maxMatchedFences);
  const visitFences = Object.entries(visitsRead.fences).filter(([, v]) => owns(v.storeId));
  if (!used.length && !visitFences.length) return { ...EMPTY, stored: true };
  const [links, partnerNames] = await config;

  // Round 2 when cold (else from the cache): the campaigns on those fences and on the fences the shopper is inside
  // (an exit's, a dwell's), and the fences' stores, by id, in parallel. The campaign item is the truth: it must
  // still list the fence.
  const fenceIds = [...new Set([...used.map((m) => m.fence.id), ...visitFences.map(([id]) => id)])];
  // Over the limit, the campaigns of the fences this fix matched come first, then those of the visits going on.
  const linked = (ids: string[]) => [...new Set(ids.flatMap((id) => links.get(id) ?? []))].sort();
  let campaignIds = [...new Set([...linked(used.map((m) => m.fence.id)), ...linked(fenceIds)])];
  if (campaignIds.length > OFFER_LIMITS.maxCampaigns) {
    log('warn', 'offer campaigns capped', { tenantId: p.tenantId, campaigns: campaignIds.length });
    campaignIds = campaignIds.slice(0, OFFER_LIMITS.maxCampaigns);
  }
  const storeIds = [
    ...new Set([...used.map((m) => m.fence.storeId), ...visitFences.map(([, v]) => v.storeId)].filter((s): s is string => !!s)),
  ];
  const [byId, stores] = await Promise.all([
    campaignsByIds(p.tenantId, campaignIds, nowMs),
    storesByIds(p.tenantId, storeIds, nowMs),
  ]);
  const campaigns = [...byId.values()];
  const fix = {
    at: fixAt,
    matches: used,
    near: found.near,
    tooVague,
    owns,
    // The index covers 1,000 m around each fence: beyond that, `near` cannot say the shopper has left.
    canExit: (accuracyM ?? 0) + EXIT_MARGIN_M <= GEO_LIMITS.maxAccuracyM,
    dwellCampaigns: (fenceId: string) =>
      campaigns
        .filter((c) => c.status === 'active' && c.trigger === 'dwell' && c.dwellMinutes && c.geofenceIds.includes(fenceId))
        .map((c) => ({ id: c.id, dwellMinutes: c.dwellMinutes as number })),
  };

  const base = {
    campaigns,
    fences: used,
    profile,
    shopperId: req.shopperId,
    location: req.location,
    now,
    at: scheduleAt,
    storeNames: new Map([...stores.values()].map((s) => [s.id, s.name])),
    maxOffers: OFFER_LIMITS.maxOffers,
  };

  // The last round: one transaction. A refused condition decides again on fresh state: a cap filled meanwhile, a
  // budget shard spent, or another fix of this shopper that moved the visit state first (its events are its own).
  let caps = capStates;
  let visits = visitsRead;
  for (let attempt = 0; attempt < OFFER_LIMITS.maxCommitAttempts; attempt++) {
    const step = advanceVisits(visits, fix);
    const input = { ...base, triggered: triggeredCampaigns(campaigns, step.events, used) };
    // The decision (selectOffers) in its three steps: every check but the cap; then the caps (they only take
    // offers away); then the offers' text.
    let decided: Candidate[] = renderOffers(applyCaps(planOffers(input), caps, now), { ...input, partnerNames });
    // A budget whose every shard is known spent (this container saw them full at this budget size) is exhausted.
    decided = decided.map((d) =>
      d.decision === 'offer' && d.campaign.budget && budgetSpent(p.tenantId, d.campaign.id, d.campaign.budget.maxOffers, nowMs)
        ? refuseAfterWrite(d, 'budget_exhausted')
        : d,
    );
    const commit = buildCommit(p, req, decided, caps, used.length > 0, step, visits.version, {
      now,
      nowMs,
      nowIso,
      lat,
      lng,
      requestId: ctx.requestId,
      timeZoneOf: (storeId) => (storeId ? stores.get(storeId)?.timezone : undefined),
    });
    const result = commit.outcome(matches);
    const extras = ctx.commitExtras?.(result.result) ?? [];
    const outcome = await transactWrite([...commit.items, ...extras]);
    if (outcome.ok) return { ...result, committedExtras: extras.length > 0 };
    if (outcome.refused.some((t) => t.startsWith('idempotency'))) {
      log('warn', 'offer request lost its idempotency lease', { tenantId: p.tenantId });
      throw unavailable(IDEMPOTENCY_LEASE_S);
    }

    // Who refused: a cap filled meanwhile (read the caps again), a budget shard spent (try the others), the visit
    // state written by another fix (its item as it is now came back with the refusal), a conflict.
    const capRefused = outcome.refused.some((t) => t.startsWith('cap:'));
    const shardRefusals = outcome.refused.filter((t) => t.startsWith('budget:'));
    const visitsRefused = outcome.refused.includes('visits');
    if (visitsRefused) visits = visitStateOf(outcome.found.get('visits'), nowMs, await retention);
    const checks: Promise<unknown>[] = [];
    if (capRefused) checks.push(getShopperCaps(p.tenantId, req.shopperId, nowMs).then((c) => (caps = c)));
    // A spent shard: read every shard of that campaign once (one BatchGet) to learn which still have room.
    for (const campaignId of new Set(shardRefusals.map((t) => t.split(':')[1]))) {
      const max = campaigns.find((x) => x.id === campaignId)!.budget!.maxOffers;
      checks.push(
        readBudgetShards(p.tenantId, campaignId).then((spent) => {
          const full = knownFull(p.tenantId, campaignId, max, nowMs);
          spent.forEach((u, i) => {
            if (i < shardCount(max) && u >= shardAllowance(max, i)) full.add(i);
          });
        }),
      );
    }
    // A conflict (another transaction held a shard or the cap item): back off, with jitter, and try another shard.
    if (!capRefused && !shardRefusals.length && !visitsRefused) await sleep(Math.random() * Math.min(400, 10 * 2 ** attempt));
    await Promise.all(checks);
  }
  log('warn', 'offer transaction kept racing', { tenantId: p.tenantId });
  throw unavailable(IDEMPOTENCY_LEASE_S);
}

/** The fences whose last counted day is kept: the day's and the day before's (a visit may cross midnight), at most 50. */
function pruneCounted(counted: Record<string, string>, today: string): Record<string, string> {
  const yesterday = new Date(Date.parse(`${today}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10);
  const kept = Object.entries(counted)
    .filter(([, d]) => d >= yesterday)
    .sort(([, a], [, b]) => b.localeCompare(a))
    .slice(0, 50);
  return Object.fromEntries(kept);
}

/** Transaction items kept for what the caller adds (commitExtras: the request's idempotency records). */
const RESERVED_ITEMS = 4;

const NOTHING_FOUND = { matches: [] as FenceMatch[], near: new Set<string>() };

/**
 * The campaigns a fix's events fire, with the fences they fired at: an enter campaign on the fence entered, a dwell
 * campaign on the fence where its threshold was reached, an exit campaign on the fence left (no longer matched: it
 * is given with the confidence of the exit, `high`, and no anchor, as the visit state keeps no coordinates).
 */
function triggeredCampaigns(campaigns: Campaign[], events: VisitEvent[], used: FenceMatch[]): Map<string, FenceMatch[]> {
  const matched = new Map(used.map((m) => [m.fence.id, m]));
  const out = new Map<string, FenceMatch[]>();
  for (const e of events)
    for (const c of campaigns) {
      if (!c.geofenceIds.includes(e.geofenceId) || !firedBy(e, c)) continue;
      const at = matched.get(e.geofenceId) ?? {
        fence: { id: e.geofenceId, storeId: e.storeId, partnerId: e.partnerId, anchor: null },
        confidence: e.confidence,
      };
      out.set(c.id, [...(out.get(c.id) ?? []), at]);
    }
  return out;
}

function knownFull(tenantId: string, campaignId: string, max: number, nowMs: number): Set<number> {
  const key = `${tenantId}|${campaignId}|${max}`;
  const got = fullShards.get(key, nowMs);
  if (got.hit) return got.value;
  const fresh = new Set<number>();
  fullShards.set(key, fresh, nowMs);
  return fresh;
}

/** Has every shard of this budget been seen spent? (Shards never regain room at a given budget size.) */
function budgetSpent(tenantId: string, campaignId: string, max: number, nowMs: number): boolean {
  return knownFull(tenantId, campaignId, max, nowMs).size >= shardCount(max);
}

/** A budget shard to spend from: a random one among those not known to be full. */
function pickShard(tenantId: string, campaignId: string, max: number, nowMs: number): number {
  const full = knownFull(tenantId, campaignId, max, nowMs);
  const open = Array.from({ length: shardCount(max) }, (_, i) => i).filter((i) => !full.has(i));
  const from = open.length ? open : Array.from({ length: shardCount(max) }, (_, i) => i);
  return from[Math.floor(Math.random() * from.length)];
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The transaction of one decision, and the response it stands for. */
function buildCommit(
  p: Principal,
  req: OfferRequest & { shopperId: string },
  decided: Candidate[],
  caps: ReadonlyMap<string, { slots: Record<string, number>; version: number }>,
  matched: boolean,
  step: VisitStep,
  visitsVersion: number,
  t: {
    now: Date;
    nowMs: number;
    nowIso: string;
    lat: number;
    lng: number;
    requestId?: string;
    timeZoneOf: (storeId: string | null) => string | undefined;
  },
) {
  const items: TaggedItem[] = [];
  const granted: { d: Extract<Candidate, { decision: 'offer' }>; offerId: string }[] = [];
  const heldOut: Extract<Candidate, { decision: 'held_out' }>[] = [];
  for (const d of decided) {
    if (d.decision === 'not_eligible') continue;
    if (d.decision === 'held_out' && heldOut.length >= OFFER_LIMITS.maxHeldOutRecords) {
      log('warn', 'held-out records capped', { tenantId: p.tenantId });
      continue;
    }
    const slot = d.decision === 'offer' ? newId('of') : `h_${t.nowMs}_${d.campaign.id}`;
    const cap = d.campaign.frequencyCap;
    if (cap) {
      const item = takeCapSlotItem(p.tenantId, req.shopperId, d.campaign.id, slot, cap, t.nowMs, caps.get(d.campaign.id));
      if (!item) continue; // applyCaps already refused it; defensive
      items.push({ tag: `cap:${d.campaign.id}`, item });
    }
    if (d.decision === 'offer') {
      const max = d.campaign.budget?.maxOffers;
      if (max !== undefined) {
        const shard = pickShard(p.tenantId, d.campaign.id, max, t.nowMs);
        items.push({ tag: `budget:${d.campaign.id}:${shard}`, item: spendBudgetItem(p.tenantId, d.campaign.id, max, shard) });
      }
      granted.push({ d, offerId: slot });
    } else heldOut.push(d);
  }

  const offers: StoredOffer[] = granted.map(({ d: { campaign, offer }, offerId }) => ({
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
    createdAt: t.nowIso,
    expiresAt: new Date(t.nowMs + campaign.offer.validForMinutes * 60_000).toISOString(),
    status: 'active',
    deliveryStatus: 'pending',
    deliveryAttempts: 0,
    ...(t.requestId ? { requestId: t.requestId } : {}),
  }));
  const records: OfferRecords = {
    offers,
    eligibility: [
      ...granted.map(({ d, offerId }) => ({
        campaignId: d.campaign.id,
        side: 'treatment' as const,
        offerId,
        geofenceId: d.match.fence.id,
        at: t.nowIso,
      })),
      ...heldOut.map((h) => ({
        campaignId: h.campaign.id,
        side: 'holdout' as const,
        offerId: null,
        geofenceId: h.match.fence.id,
        at: t.nowIso,
      })),
    ],
    location: matched ? { cell: coarseCell(t.lat, t.lng), at: t.nowIso } : undefined,
  };
  items.push(...offerRecordPuts(p.tenantId, req.shopperId, records));
  // Records for later (footfall, webhook events): within the transaction's item limit, a few kept for the
  // request's idempotency records; beyond it (only with many fences and campaigns at once) dropped and logged.
  const optional: TaggedItem[] = [];
  // Footfall (anonymous, in the fence's store's time zone): a record per visit begun, with whether it is the
  // shopper's first of the local day there (remembered in the visit state), and one per visit ended.
  for (const v of step.entered) {
    const local = localDayHour(t.timeZoneOf(v.storeId), new Date(v.enteredAt));
    const counted = { ...(step.state.counted ?? {}) };
    const first = counted[v.geofenceId] !== local.date;
    counted[v.geofenceId] = local.date;
    step.state.counted = pruneCounted(counted, local.date);
    optional.push(footfallEntryPut(p.tenantId, v.geofenceId, { ...local, first }));
  }
  for (const v of step.ended) {
    const { date } = localDayHour(t.timeZoneOf(v.storeId), new Date(v.enteredAt));
    optional.push(footfallDwellPut(p.tenantId, v.geofenceId, { date, dwellMinutes: v.dwellMinutes }));
  }
  if (step.changed) items.push(putVisitsItem(p.tenantId, req.shopperId, step.state, visitsVersion));
  // Every event of the fix, for the tenant's webhook (delivered off the request path, when subscribed).
  optional.push(...visitEventPuts(p.tenantId, req.shopperId, step.events, t.nowIso));
  const room = Math.max(0, MAX_TRANSACT_ITEMS - RESERVED_ITEMS - items.length);
  if (optional.length > room)
    log('warn', 'footfall records or geofence events dropped', { tenantId: p.tenantId, dropped: optional.length - room });
  items.push(...optional.slice(0, room));
  const events = listedEvents(p, step.events, offers).map(publicEvent);
  return {
    items,
    outcome: (matches: FenceMatch[]): OfferOutcome => ({
      result: {
        offers: offers.sort((a, b) => b.priority - a.priority || a.campaignId.localeCompare(b.campaignId)).map(publicOffer),
        geofences: listedFences(p, matches, offers, events),
        events,
      },
      stored: true,
      heldOut: heldOut.length,
    }),
  };
}

/**
 * The `geofences` of a response: a secret key sees every fence the location matched (within its stores); a
 * publishable key only those of the offers it is given, so the public key cannot map a tenant's fences
 * ("fence mapping"), and a held-out shopper's answer reads like any answer without an offer.
 */
function listedFences(p: Principal, matches: FenceMatch[], offers: StoredOffer[], events: OfferEvent[]): string[] {
  const ids = matches.map((m) => m.fence.id);
  if (p.kind !== 'publishable') return ids;
  // The fences of its offers and events, in match order; an exit's fence (no longer matched) after them.
  const shown = [...new Set([...offers.map((o) => o.geofenceId), ...events.map((e) => e.geofenceId)])];
  return [...ids.filter((id) => shown.includes(id)), ...shown.filter((id) => !ids.includes(id))];
}

/**
 * The events of a response: a secret key sees every event of the fix (within its stores); a publishable key only
 * those at the fences of the offers it is given. An app would otherwise map a tenant's fences by sending made-up
 * locations and watching for `entered` ("fence mapping"), and a held-out shopper's answer would differ from any
 * other answer without an offer. Webhooks, which go to the tenant's own server, carry every subscribed event.
 */
function listedEvents(p: Principal, events: VisitEvent[], offers: StoredOffer[]): VisitEvent[] {
  if (p.kind !== 'publishable') return events;
  const offered = new Set(offers.map((o) => o.geofenceId));
  return events.filter((e) => offered.has(e.geofenceId));
}

/** A visit event as the offer response shows it: no store, partner or confidence (those go to the webhook). */
export interface OfferEvent {
  type: VisitEvent['type'];
  geofenceId: string;
  at: string;
  dwellMinutes?: number;
}

const publicEvent = (e: VisitEvent | OfferEvent): OfferEvent => ({
  type: e.type,
  geofenceId: e.geofenceId,
  at: e.at,
  ...(e.dwellMinutes === undefined ? {} : { dwellMinutes: e.dwellMinutes }),
});
