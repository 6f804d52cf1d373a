import { GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { batchGet, batchWrite } from './batch.js';
import { keys } from './keys.js';
import { conditionFailedItem, db, decodeCursor, encodeCursor, epochSeconds, isConditionFailed, isExpired, strip, table, ttlIn } from './db.js';
import { DAY_S, RETENTION } from './retention.js';

/** Offer and frequency-cap storage: everything here lives in the shopper's partition (plus the id pointer). */

export interface StoredOffer {
  id: string;
  tenantId: string;
  shopperId: string;
  campaignId: string;
  kind: string;
  title: string;
  body: string;
  code: string | null;
  geofenceId: string;
  storeId: string | null;
  partnerId: string | null;
  confidence: string;
  priority: number;
  createdAt: string;
  expiresAt: string;
  status: 'active' | 'redeemed';
  redeemedAt?: string;
  redeemedStoreId?: string | null;
  amount?: number | null;
  deliveryStatus: 'pending' | 'delivered' | 'failed' | 'not_configured';
  deliveryAttempts: number;
  deliveredAt?: string;
  lastDeliveryError?: string;
}

const offerTtl = (expiresAt: string) => ttlIn(RETENTION.offerAfterExpiryDays * DAY_S, Date.parse(expiresAt));

/** Offer items and their id pointers, as BatchWrite put requests. */
export function offerPuts(o: StoredOffer) {
  const ttl = offerTtl(o.expiresAt);
  return [
    { PutRequest: { Item: { ...o, ...keys.shopperOffer(o.tenantId, o.shopperId, o.id), ttl } } },
    { PutRequest: { Item: { ...keys.offerPointer(o.tenantId, o.id), shopperId: o.shopperId, ttl } } },
  ];
}

export interface EligibilityRecord {
  campaignId: string;
  side: 'treatment' | 'holdout';
  offerId: string | null;
  geofenceId: string;
  at: string;
}

export function eligibilityPut(tenantId: string, shopperId: string, e: EligibilityRecord) {
  return {
    PutRequest: {
      Item: { ...e, ...keys.eligibility(tenantId, shopperId, e.campaignId, e.at), ttl: ttlIn(RETENTION.eligibilityDays * DAY_S) },
    },
  };
}

export function locationPut(tenantId: string, shopperId: string, cell: string, at: string) {
  return {
    PutRequest: { Item: { ...keys.lastLocation(tenantId, shopperId), cell, at, ttl: ttlIn(RETENTION.locationDays * DAY_S) } },
  };
}

export async function writeItems(requests: Parameters<typeof batchWrite>[0]): Promise<void> {
  if (requests.length) await batchWrite(requests);
}

/** Frequency-cap state of one shopper for several campaigns (one BatchGet). */
export async function getCaps(tenantId: string, shopperId: string, campaignIds: string[]) {
  const items = await batchGet(campaignIds.map((c) => keys.frequencyCap(tenantId, shopperId, c)));
  const out = new Map<string, { slots: Record<string, number>; version: number }>();
  for (const i of items) if (!isExpired(i)) out.set(String(i.campaignId), { slots: (i.slots ?? {}) as Record<string, number>, version: Number(i.version ?? 0) });
  return out;
}

/**
 * Take one slot of a shopper's frequency cap (maxOffers per window), exactly
 * under concurrency: the cap item holds the timestamps of slots in the window
 * and a version; the write is conditional on the version read, and retried on
 * a race with the fresh state. Returns false when the cap is full.
 */
export async function reserveCap(
  tenantId: string,
  shopperId: string,
  campaignId: string,
  slotId: string,
  cap: { maxOffers: number; perHours: number },
  nowMs: number,
  known?: { slots: Record<string, number>; version: number },
): Promise<boolean> {
  const windowMs = cap.perHours * 3_600_000;
  let state = known ?? { slots: {}, version: 0 };
  for (let attempt = 0; attempt < 8; attempt++) {
    const live = Object.entries(state.slots).filter(([, t]) => t > nowMs - windowMs);
    if (live.length >= cap.maxOffers) return false;
    const slots = Object.fromEntries([...live, [slotId, nowMs]]);
    try {
      await db().send(
        new PutCommand({
          TableName: table(),
          Item: {
            ...keys.frequencyCap(tenantId, shopperId, campaignId),
            campaignId,
            slots,
            version: state.version + 1,
            ttl: Math.ceil((nowMs + windowMs) / 1000) + 60,
          },
          ConditionExpression: state.version === 0 ? 'attribute_not_exists(pk) OR #ttl < :now' : 'version = :v',
          ExpressionAttributeNames: state.version === 0 ? { '#ttl': 'ttl' } : undefined,
          ExpressionAttributeValues: state.version === 0 ? { ':now': Math.floor(nowMs / 1000) } : { ':v': state.version },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return true;
    } catch (err) {
      if (!isConditionFailed(err)) throw err;
      const old = conditionFailedItem(err);
      state = old ? { slots: (old.slots ?? {}) as Record<string, number>, version: Number(old.version ?? 0) } : { slots: {}, version: 0 };
      if (old && isExpired(old as { ttl?: number }, nowMs)) state = { slots: {}, version: 0 };
      await new Promise((r) => setTimeout(r, Math.random() * 10 * (attempt + 1)));
    }
  }
  // Still racing after several tries: refuse rather than risk exceeding the cap.
  return false;
}

/** Give a slot back (the budget refused the offer). */
export async function releaseCap(tenantId: string, shopperId: string, campaignId: string, slotId: string): Promise<void> {
  await db().send(
    new UpdateCommand({
      TableName: table(),
      Key: keys.frequencyCap(tenantId, shopperId, campaignId),
      UpdateExpression: 'REMOVE slots.#s SET version = version + :one',
      ConditionExpression: 'attribute_exists(pk)',
      ExpressionAttributeNames: { '#s': slotId },
      ExpressionAttributeValues: { ':one': 1 },
    }),
  ).catch((err) => {
    if (!isConditionFailed(err)) throw err;
  });
}

/** Find an offer of the tenant by id (pointer, then the offer): undefined when absent or purged. */
export async function getOfferById(tenantId: string, offerId: string): Promise<StoredOffer | undefined> {
  const ptr = await db().send(new GetCommand({ TableName: table(), Key: keys.offerPointer(tenantId, offerId), ConsistentRead: true }));
  if (!ptr.Item || isExpired(ptr.Item)) return undefined;
  return getOffer(tenantId, String(ptr.Item.shopperId), offerId);
}

export async function getOffer(tenantId: string, shopperId: string, offerId: string): Promise<StoredOffer | undefined> {
  const res = await db().send(
    new GetCommand({ TableName: table(), Key: keys.shopperOffer(tenantId, shopperId, offerId), ConsistentRead: true }),
  );
  return res.Item && !isExpired(res.Item) ? (strip(res.Item) as unknown as StoredOffer) : undefined;
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
        Key: keys.shopperOffer(tenantId, shopperId, offerId),
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

/** Record a delivery outcome on the offer (no-op if the offer was erased meanwhile). */
export async function setDeliveryStatus(
  tenantId: string,
  shopperId: string,
  offerId: string,
  status: StoredOffer['deliveryStatus'],
  attempts: number,
  error?: string,
): Promise<boolean> {
  try {
    await db().send(
      new UpdateCommand({
        TableName: table(),
        Key: keys.shopperOffer(tenantId, shopperId, offerId),
        UpdateExpression:
          'SET deliveryStatus = :s, deliveryAttempts = :a' + (status === 'delivered' ? ', deliveredAt = :at' : '') + (error ? ', lastDeliveryError = :e' : ''),
        ConditionExpression: 'attribute_exists(pk) AND deliveryStatus <> :delivered',
        ExpressionAttributeValues: {
          ':s': status,
          ':a': attempts,
          ':delivered': 'delivered',
          ...(status === 'delivered' ? { ':at': new Date().toISOString() } : {}),
          ...(error ? { ':e': error.slice(0, 200) } : {}),
        },
      }),
    );
    return true;
  } catch (err) {
    if (!isConditionFailed(err)) throw err;
    return false;
  }
}

/** One page of a shopper's live offers (active, not expired), newest first. */
export async function listLiveOffers(tenantId: string, shopperId: string, limit: number, cursor: string | undefined, now = new Date()) {
  const { pk } = keys.shopperPartition(tenantId, shopperId);
  const res = await db().send(
    new QueryCommand({
      TableName: table(),
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :p)',
      FilterExpression: '#status = :active AND expiresAt > :now AND #ttl > :epoch',
      ExpressionAttributeNames: { '#status': 'status', '#ttl': 'ttl' },
      ExpressionAttributeValues: { ':pk': pk, ':p': keys.shopperOfferPrefix, ':active': 'active', ':now': now.toISOString(), ':epoch': epochSeconds(now) },
      ScanIndexForward: false,
      Limit: limit,
      ExclusiveStartKey: decodeCursor(cursor, { pk }, { sk: keys.shopperOfferPrefix }),
    }),
  );
  return { items: (res.Items ?? []).map((i) => strip(i) as unknown as StoredOffer), nextCursor: encodeCursor(res.LastEvaluatedKey) };
}
