import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { batchWrite } from './batch.js';
import { deleteIdempotencyRecords } from './idempotency.js';
import { keys } from './keys.js';
import { db, isExpired, queryPartition, strip, table, ttlIn } from './db.js';
import { DAY_S, RETENTION } from './retention.js';

/** Upsert a shopper profile (TTL: retention after last update). */
export async function putProfile(tenantId: string, shopperId: string, profile: Record<string, unknown>): Promise<void> {
  await db().send(
    new PutCommand({
      TableName: table(),
      Item: { ...profile, ...keys.shopperProfile(tenantId, shopperId), ttl: ttlIn(RETENTION.profileDays * DAY_S) },
    }),
  );
}

/** A shopper's profile, or undefined (expired counts as absent). */
export async function getProfile<T>(tenantId: string, shopperId: string): Promise<T | undefined> {
  const res = await db().send(new GetCommand({ TableName: table(), Key: keys.shopperProfile(tenantId, shopperId), ConsistentRead: true }));
  return res.Item && !isExpired(res.Item) ? (strip(res.Item) as T) : undefined;
}

/** Every item in the shopper's partition (export and erasure), raw. */
export async function shopperItems(tenantId: string, shopperId: string, skPrefix?: string): Promise<Record<string, unknown>[]> {
  return queryPartition(keys.shopperPartition(tenantId, shopperId).pk, skPrefix);
}

/**
 * Erase everything held about a shopper: the whole shopper partition
 * (profile, offers, caps, eligibility, conversions, location, stats markers),
 * the offer-id pointers and the idempotency records of requests about them. Repeats until the partition reads empty, so an
 * offer written concurrently is not left behind. Returns the items removed.
 */
export async function eraseShopper(tenantId: string, shopperId: string): Promise<number> {
  let removed = 0;
  for (let round = 0; round < 5; round++) {
    const items = await shopperItems(tenantId, shopperId);
    if (!items.length) break;
    await deleteIdempotencyRecords(
      tenantId,
      items
        .filter((i) => String(i.sk).startsWith(keys.shopperIdempotencyRefPrefix))
        .map((i) => ({ keyId: String(i.keyId), idempotencyKey: String(i.idempotencyKey) })),
    );
    const pointerKeys = items
      .filter((i) => String(i.sk).startsWith(keys.shopperOfferPrefix))
      .map((i) => keys.offerPointer(tenantId, String(i.id)));
    await batchWrite([
      ...items.map((i) => ({ DeleteRequest: { Key: { pk: String(i.pk), sk: String(i.sk) } } })),
      ...pointerKeys.map((Key) => ({ DeleteRequest: { Key } })),
    ]);
    removed += items.length + pointerKeys.length;
  }
  return removed;
}
