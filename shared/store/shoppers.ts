import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { batchWrite } from './batch.js';
import { isConversionItem } from './conversions.js';
import { db, isExpired, queryPartition, strip, table, ttlInDays } from './db.js';
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

/**
 * The shopper's profile, and the shopper's partition as a whole (export and
 * erasure are one bounded query of it, never a scan).
 *   pk T#<tenant>#S#<shopper>   sk PROFILE
 * TTL: two years after its last update. The other items of the partition
 * belong to offers.ts, frequency-caps.ts, eligibility.ts, conversions.ts,
 * locations.ts, visits.ts, visit-events.ts, seen-markers.ts and idempotency.ts.
 */
const PROFILE_SK = 'PROFILE';
const RETENTION_DAYS = 730;
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
  const Item = { ...profile, ...profileKey(tenantId, shopperId), ttl: ttlInDays(RETENTION_DAYS) };
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

/** A shopper's profile, or undefined (expired counts as absent). */
export async function getProfile<T>(tenantId: string, shopperId: string): Promise<T | undefined> {
  const res = await db().send(new GetCommand({ TableName: table(), Key: profileKey(tenantId, shopperId), ConsistentRead: true }));
  return res.Item && !isExpired(res.Item) ? (strip(res.Item) as T) : undefined;
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

const KINDS = [
  ['offers', isOfferItem],
  ['frequencyCaps', isFrequencyCapItem],
  ['eligibility', isEligibilityItem],
  ['conversions', isConversionItem],
  ['location', isLastLocationItem],
  ['visits', isVisitsItem],
  ['visitEvents', isVisitEventItem],
  ['idempotencyRecords', isIdempotencyRefItem],
] as const;

/**
 * Group the raw items of a shopper's partition by kind, storage attributes
 * (and the implied tenant id) removed. Pure; items are not filtered on TTL:
 * the export shows everything still held, expired or not.
 */
export function groupShopperItems(items: Record<string, unknown>[]): ShopperItems {
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
    const { tenantId: _t, ...rest } = strip(item) as Record<string, unknown>;
    if (item.sk === PROFILE_SK) out.profile ??= rest;
    else if (isSeenMarkerItem(item)) out.statsMarkers.push(seenMarkerView(item));
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
export async function exportShopperItems(tenantId: string, shopperId: string): Promise<ShopperItems> {
  return groupShopperItems(await queryPartition(shopperPartition(tenantId, shopperId)));
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
