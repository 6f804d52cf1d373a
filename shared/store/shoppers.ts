import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { batchWrite } from './batch.js';
import { isConversionItem } from './conversions.js';
import { db, isExpired, queryPartition, strip, table, ttlInDays, retained } from './db.js';
import { isEligibilityItem } from './eligibility.js';
import { isFrequencyCapItem } from './frequency-caps.js';
import { deleteReferencedIdempotencyRecords, isIdempotencyRefItem } from './idempotency.js';
import { isLastLocationItem } from './locations.js';
import { isOfferItem, offerPointerDeletes } from './offers.js';
import { shopperPartition } from './keys.js';
import { isSeenMarkerItem, seenMarkerView } from './seen-markers.js';
import { isVisitEventItem } from './visit-events.js';
import { isVisitsItem } from './visits.js';
import type { Key } from './table-def.js';
import { type TransactItem, transactWrite } from './transactions.js';
import { unavailable } from '../platform/errors.js';
import { DEFAULT_RETENTION, RETAINED_KINDS, type RetainedKind, type Retention } from '../domain/values/retention.js';

/**
 * The shopper's profile, and the shopper's partition as a whole (export and
 * erasure are one bounded query of it, never a scan).
 *   pk T#<tenant>#S#<shopper>   sk PROFILE
 * TTL: two years after its last update (the tenant's profileDays hides it
 * sooner, domain/values/retention.ts). The other items of the partition
 * belong to offers.ts, frequency-caps.ts, eligibility.ts, conversions.ts,
 * locations.ts, visits.ts, visit-events.ts, seen-markers.ts and idempotency.ts.
 */
const PROFILE_SK = 'PROFILE';
/** Tries of a profile transaction that lost a race with another write of the same profile. */
const WRITE_TRIES = 3;
const profileKey = (tenantId: string, shopperId: string): Key => ({ pk: shopperPartition(tenantId, shopperId), sk: PROFILE_SK });

/**
 * Upsert a shopper profile (TTL: retention after last update). With `also` (e.g. the audit entry of the write),
 * profile and those items are one transaction: all written or none. A transaction that lost a race with another
 * write of the same items is sent again (a few times, then 503).
 */
export async function putProfile(
  tenantId: string,
  shopperId: string,
  profile: Record<string, unknown>,
  also: TransactItem[] = [],
): Promise<void> {
  const Item = { ...profile, ...profileKey(tenantId, shopperId), ttl: ttlInDays(RETAINED_KINDS.profile.writtenDays) };
  if (!also.length) {
    await db().send(new PutCommand({ TableName: table(), Item }));
    return;
  }
  for (let i = 0; i < WRITE_TRIES; i++) {
    const outcome = await transactWrite([
      { tag: 'profile', item: { Put: { Item } } },
      ...also.map((item, n) => ({ tag: `also:${n}`, item })),
    ]);
    if (outcome.ok) return;
    if (!outcome.conflict) throw new Error(`profile write refused: ${outcome.refused.join(', ')}`);
  }
  throw unavailable(1);
}

/**
 * A shopper's profile, or undefined (past the tenant's retention counts as absent). The retention may still be
 * on its way (the offer path reads it beside the profile, in the same round).
 */
export async function getProfile<T>(
  tenantId: string,
  shopperId: string,
  retention: Retention | Promise<Retention> = DEFAULT_RETENTION,
  nowMs = Date.now(),
): Promise<T | undefined> {
  const res = await db().send(new GetCommand({ TableName: table(), Key: profileKey(tenantId, shopperId), ConsistentRead: true }));
  return res.Item && retained('profile', res.Item, await retention, nowMs) ? (strip(res.Item) as T) : undefined;
}

/** Everything held about a shopper, by kind, as their export shows it. */
export interface ShopperItems {
  profile: Record<string, unknown> | null;
  offers: Record<string, unknown>[];
  frequencyCaps: Record<string, unknown>[];
  eligibility: Record<string, unknown>[];
  conversions: Record<string, unknown>[];
  location: Record<string, unknown>[];
  /** The visit state: fences the shopper is inside, with entry and last-seen times (no coordinates). */
  visits: Record<string, unknown>[];
  /** Geofence events kept for webhook delivery (fence, times, confidence, delivery state; no coordinates). */
  visitEvents: Record<string, unknown>[];
  statsMarkers: { key: string; expiresAt: string }[];
  idempotencyRecords: Record<string, unknown>[];
  /** Items of a kind this version does not know (present only when there are some). */
  other?: Record<string, unknown>[];
}

/** The export's groups, how each item is recognised, and the retention kind it follows (none: its TTL alone). */
const KINDS = [
  ['offers', isOfferItem, 'offer'],
  ['frequencyCaps', isFrequencyCapItem, undefined],
  ['eligibility', isEligibilityItem, 'eligibility'],
  ['conversions', isConversionItem, 'conversion'],
  ['location', isLastLocationItem, 'location'],
  ['visits', isVisitsItem, 'visits'],
  ['visitEvents', isVisitEventItem, 'visitEvent'],
  ['idempotencyRecords', isIdempotencyRefItem, undefined],
] as const satisfies readonly (readonly [string, (i: Record<string, unknown>) => boolean, RetainedKind | undefined])[];

/** The retention kind of a shopper-partition item (undefined: its TTL alone decides). */
export function retainedKindOf(item: Record<string, unknown>): RetainedKind | undefined {
  if (item.sk === PROFILE_SK) return 'profile';
  if (isSeenMarkerItem(item)) return 'statsMarker';
  return KINDS.find(([, is]) => is(item))?.[2];
}

/** Is this shopper-partition item still held at `nowMs` under the tenant's retention (or, without a kind, its TTL)? */
export function isHeld(item: Record<string, unknown>, retention: Retention = DEFAULT_RETENTION, nowMs = Date.now()): boolean {
  const kind = retainedKindOf(item);
  return kind ? retained(kind, item, retention, nowMs) : !isExpired(item, nowMs);
}

/**
 * Group the raw items of a shopper's partition by kind, storage attributes
 * (and the implied tenant id) removed. Pure. Items past the tenant's
 * retention (or their TTL) are left out: they are absent on every read,
 * whether or not DynamoDB has deleted them yet.
 */
export function groupShopperItems(
  items: Record<string, unknown>[],
  retention: Retention = DEFAULT_RETENTION,
  nowMs = Date.now(),
): ShopperItems {
  const out: ShopperItems = {
    profile: null,
    offers: [],
    frequencyCaps: [],
    eligibility: [],
    conversions: [],
    location: [],
    visits: [],
    visitEvents: [],
    statsMarkers: [],
    idempotencyRecords: [],
  };
  for (const item of items) {
    if (!isHeld(item, retention, nowMs)) continue;
    const { tenantId: _t, ...rest } = strip(item) as Record<string, unknown>;
    if (item.sk === PROFILE_SK) out.profile ??= rest;
    else if (isSeenMarkerItem(item)) out.statsMarkers.push(seenMarkerView(item, retention));
    else {
      const kind = KINDS.find(([, is]) => is(item))?.[0];
      if (kind) out[kind].push(rest);
      else {
        out.other ??= [];
        out.other.push(rest);
      }
    }
  }
  return out;
}

/** Everything held about a shopper, grouped by kind (one bounded query of their partition). */
export async function exportShopperItems(
  tenantId: string,
  shopperId: string,
  retention: Retention | Promise<Retention> = DEFAULT_RETENTION,
  nowMs = Date.now(),
): Promise<ShopperItems> {
  const items = await queryPartition(shopperPartition(tenantId, shopperId));
  return groupShopperItems(items, await retention, nowMs);
}

/**
 * Erase everything held about a shopper: the whole shopper partition
 * (profile, offers, caps, eligibility, conversions, location, visits, visit events, stats markers),
 * the offer-id pointers and the idempotency records of requests about them.
 * Repeats until the partition reads empty, so an offer written concurrently
 * is not left behind. Returns the number of items removed.
 */
export async function eraseShopper(tenantId: string, shopperId: string): Promise<number> {
  let removed = 0;
  for (let round = 0; round < 5; round++) {
    const items = await queryPartition(shopperPartition(tenantId, shopperId));
    if (!items.length) break;
    await deleteReferencedIdempotencyRecords(tenantId, items.filter(isIdempotencyRefItem));
    const pointers = offerPointerDeletes(
      tenantId,
      items.filter(isOfferItem).map((i) => String(i.id)),
    );
    await batchWrite([...items.map((i) => ({ DeleteRequest: { Key: { pk: String(i.pk), sk: String(i.sk) } } })), ...pointers]);
    removed += items.length + pointers.length;
  }
  return removed;
}
