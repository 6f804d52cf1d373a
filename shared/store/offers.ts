import { GetCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { CampaignKind, Confidence } from '../domain/targeting/index.js';
import { updateDeliveryStatus } from './delivery-status.js';
import type { WriteRequest } from './batch.js';
import {
  conditionFailedItem,
  db,
  decodeCursor,
  encodeCursor,
  epochSeconds,
  isConditionFailed,
  isExpired,
  strip,
  table,
  ttlInDays,
  retained,
} from './db.js';
import { DEFAULT_RETENTION, RETAINED_KINDS, type Retention } from '../domain/values/retention.js';
import { eligibilityItem, type EligibilityRecord } from './eligibility.js';
import { lastLocationItem, type LastLocation } from './locations.js';
import { shopperPartition, tenantPartition } from './keys.js';
import type { Key } from './table-def.js';
import type { TaggedItem } from './transactions.js';

/**
 * An offer made to a shopper, and the pointer that finds it by id alone
 * (redemption and delivery read the offer in one lookup).
 *   offer     pk T#<tenant>#S#<shopper>   sk OFFER#<offerId>
 *   pointer   pk T#<tenant>#O#<offerId>   sk OFFER
 * TTL: 30 days after the offer expires, both (for redemption answers (410) and audits); reads hide an offer
 * once it is older than the tenant's offersDays (domain/values/retention.ts), whatever its TTL.
 */
/** The states of an offer, and of its delivery to the tenant's webhook. */
export const OFFER_STATUSES = ['active', 'redeemed'] as const;
export const DELIVERY_STATUSES = ['pending', 'delivered', 'failed', 'not_configured'] as const;

export interface StoredOffer {
  id: string;
  tenantId: string;
  shopperId: string;
  campaignId: string;
  kind: CampaignKind;
  title: string;
  body: string;
  code: string | null;
  geofenceId: string;
  storeId: string | null;
  partnerId: string | null;
  confidence: Confidence;
  priority: number;
  createdAt: string;
  expiresAt: string;
  status: (typeof OFFER_STATUSES)[number];
  redeemedAt?: string;
  redeemedStoreId?: string | null;
  amount?: number | null;
  deliveryStatus: (typeof DELIVERY_STATUSES)[number];
  deliveryAttempts: number;
  deliveredAt?: string;
  lastDeliveryError?: string;
  /** The last DELIVERY_LOG_SIZE attempts at the webhook, oldest first (absent on offers never attempted). */
  deliveryLog?: DeliveryAttempt[];
  /** The id of the offer request that made it (X-Request-Id): the outbox queues it with the offer, for the delivery logs. */
  requestId?: string;
}

/**
 * One attempt at the tenant's webhook, as GET /v1/offers/{id} shows it: when,
 * the HTTP status of the answer (absent when none came), how long it took,
 * and why it failed (a short text; never the URL, an address or the body).
 */
export interface DeliveryAttempt {
  at: string;
  status?: number;
  ms: number;
  error?: string;
}

/** Most attempts kept on an offer (the latest ones). */
export const DELIVERY_LOG_SIZE = 10;

const PREFIX = 'OFFER#';
const DAYS_AFTER_EXPIRY = RETAINED_KINDS.offer.writtenDays;
/** Key of an offer item (tests age an offer through it). */
export const offerKey = (tenantId: string, shopperId: string, offerId: string): Key => ({
  pk: shopperPartition(tenantId, shopperId),
  sk: `${PREFIX}${offerId}`,
});
/** Key of an offer's id pointer (exported for tests that read it raw). */
export const offerPointerKey = (tenantId: string, offerId: string): Key => ({
  pk: `${tenantPartition(tenantId)}#O#${offerId}`,
  sk: 'OFFER',
});
const offerTtl = (expiresAt: string) => ttlInDays(DAYS_AFTER_EXPIRY, Date.parse(expiresAt));

/** Is this shopper-partition item an offer? */
export const isOfferItem = (item: Record<string, unknown>) => String(item.sk).startsWith(PREFIX);

/** Delete requests for the id pointers of these offers (erasure removes them with the shopper's partition). */
export const offerPointerDeletes = (tenantId: string, offerIds: string[]): WriteRequest[] =>
  offerIds.map((id) => ({ DeleteRequest: { Key: offerPointerKey(tenantId, id) } }));

/** What one offer request leaves about a shopper: the offers made, the eligibility records, the last location. */
export interface OfferRecords {
  offers: StoredOffer[];
  eligibility: EligibilityRecord[];
  location?: LastLocation;
}

/**
 * The items one offer request writes, as transaction Puts (tagged `offer:<id>`
 * and so on): each offer (refused if its id exists), its id pointer, the
 * eligibility records and the last location. Offers and eligibility records
 * carry `outbox`: the table's stream turns a new offer into its delivery
 * message and a new eligibility record into campaign counts (the outbox), so
 * nothing is queued or counted unless the transaction stood.
 */
export function offerRecordPuts(tenantId: string, shopperId: string, r: OfferRecords): TaggedItem[] {
  return [
    ...r.offers.flatMap((o): TaggedItem[] => {
      const ttl = offerTtl(o.expiresAt);
      return [
        {
          tag: `offer:${o.id}`,
          item: {
            Put: {
              Item: { ...o, ...offerKey(o.tenantId, o.shopperId, o.id), ttl, outbox: OUTBOX_OFFER },
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          },
        },
        {
          tag: `pointer:${o.id}`,
          item: { Put: { Item: { ...offerPointerKey(o.tenantId, o.id), shopperId: o.shopperId, ttl } } },
        },
      ];
    }),
    ...r.eligibility.map(
      (e): TaggedItem => ({
        tag: `eligibility:${e.campaignId}`,
        item: { Put: { Item: { ...eligibilityItem(tenantId, shopperId, e), tenantId, shopperId, outbox: OUTBOX_EXPOSURE } } },
      }),
    ),
    ...(r.location ? [{ tag: 'location', item: { Put: { Item: lastLocationItem(tenantId, shopperId, r.location) } } }] : []),
  ];
}

/** The `outbox` marks the table's stream consumer acts on (see functions/stream.ts). */
export const OUTBOX_OFFER = 'offer';
export const OUTBOX_EXPOSURE = 'exposure';

/** Find an offer of the tenant by id (pointer, then the offer): undefined when absent, purged or past retention. */
export async function getOfferById(
  tenantId: string,
  offerId: string,
  retention: Retention | Promise<Retention> = DEFAULT_RETENTION,
  nowMs = Date.now(),
): Promise<StoredOffer | undefined> {
  const ptr = await db().send(
    new GetCommand({ TableName: table(), Key: offerPointerKey(tenantId, offerId), ConsistentRead: true }),
  );
  if (!ptr.Item || isExpired(ptr.Item, nowMs)) return undefined;
  return getOffer(tenantId, String(ptr.Item.shopperId), offerId, retention, nowMs);
}

/** One offer of a shopper: undefined when absent or past the tenant's retention. */
export async function getOffer(
  tenantId: string,
  shopperId: string,
  offerId: string,
  retention: Retention | Promise<Retention> = DEFAULT_RETENTION,
  nowMs = Date.now(),
): Promise<StoredOffer | undefined> {
  const res = await db().send(
    new GetCommand({ TableName: table(), Key: offerKey(tenantId, shopperId, offerId), ConsistentRead: true }),
  );
  return res.Item && retained('offer', res.Item, await retention, nowMs)
    ? (strip(res.Item) as unknown as StoredOffer)
    : undefined;
}

/** Mark an offer redeemed, once: returns the updated offer, 'redeemed' if it already was, undefined if absent. */
export async function redeemOffer(
  tenantId: string,
  shopperId: string,
  offerId: string,
  at: string,
  storeId: string | null,
  amount: number | null,
): Promise<StoredOffer | 'redeemed' | undefined> {
  try {
    const res = await db().send(
      new UpdateCommand({
        TableName: table(),
        Key: offerKey(tenantId, shopperId, offerId),
        UpdateExpression: 'SET #status = :r, redeemedAt = :at, redeemedStoreId = :store, amount = :amount',
        ConditionExpression: 'attribute_exists(pk) AND #status = :active',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':r': 'redeemed', ':active': 'active', ':at': at, ':store': storeId, ':amount': amount },
        ReturnValues: 'ALL_NEW',
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      }),
    );
    return strip(res.Attributes!) as unknown as StoredOffer;
  } catch (err) {
    if (!isConditionFailed(err)) throw err;
    return conditionFailedItem(err) ? 'redeemed' : undefined;
  }
}

/**
 * Record a delivery outcome on the offer: its status, its attempt count and,
 * for an attempt at the webhook, that attempt appended to `log` (the attempts
 * the offer held when it was read, of which the last DELIVERY_LOG_SIZE are
 * kept). No-op, returning false, if the offer was erased or delivered
 * meanwhile.
 */
export async function setDeliveryStatus(
  tenantId: string,
  shopperId: string,
  offerId: string,
  status: StoredOffer['deliveryStatus'],
  attempts: number,
  error?: string,
  attempt?: { entry: DeliveryAttempt; log?: DeliveryAttempt[] },
): Promise<boolean> {
  const entry = attempt && {
    ...attempt.entry,
    ...(attempt.entry.error ? { error: attempt.entry.error.slice(0, 200) } : {}),
  };
  return updateDeliveryStatus(
    offerKey(tenantId, shopperId, offerId),
    status,
    attempts,
    error,
    entry ? [...(attempt.log ?? []), entry].slice(-DELIVERY_LOG_SIZE) : undefined,
  );
}

/** One page of a shopper's live offers (active, not expired, within the tenant's retention), newest first. */
export async function listLiveOffers(
  tenantId: string,
  shopperId: string,
  limit: number,
  cursor: string | undefined,
  retention: Retention = DEFAULT_RETENTION,
  nowMs = Date.now(),
) {
  const now = new Date(nowMs);
  const pk = shopperPartition(tenantId, shopperId);
  const res = await db().send(
    new QueryCommand({
      TableName: table(),
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :p)',
      // Retention counts from createdAt, in whole seconds as everywhere (domain/values/retention.ts).
      FilterExpression: '#status = :active AND expiresAt > :now AND #ttl > :epoch AND createdAt >= :madeFrom',
      ExpressionAttributeNames: { '#status': 'status', '#ttl': 'ttl' },
      ExpressionAttributeValues: {
        ':pk': pk,
        ':p': PREFIX,
        ':active': 'active',
        ':now': now.toISOString(),
        ':epoch': epochSeconds(now),
        ':madeFrom': new Date((epochSeconds(now) - retention.offersDays * 86_400 + 1) * 1000).toISOString(),
      },
      ScanIndexForward: false,
      Limit: limit,
      ExclusiveStartKey: decodeCursor(cursor, { pk }, { sk: PREFIX }),
    }),
  );
  return {
    items: (res.Items ?? []).map((i) => strip(i) as unknown as StoredOffer),
    nextCursor: encodeCursor(res.LastEvaluatedKey),
  };
}

/** The fields of an offer that apps, webhooks and integrators see (no tenant, shopper or delivery internals). */
export const publicOffer = (o: StoredOffer) => ({
  id: o.id,
  campaignId: o.campaignId,
  kind: o.kind,
  title: o.title,
  body: o.body,
  code: o.code,
  geofenceId: o.geofenceId,
  storeId: o.storeId,
  partnerId: o.partnerId,
  confidence: o.confidence,
  expiresAt: o.expiresAt,
});
