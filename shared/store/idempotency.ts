import { DeleteCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { conditionFailedItem, db, epochSeconds, isConditionFailed, table, ttlIn } from './db.js';
import { shopperPartition, tenantPartition } from './keys.js';
import type { Key } from './table-def.js';

/**
 * Idempotency records (the first response to an Idempotency-Key), scoped to
 * the tenant and the calling key, and the shopper's references to them.
 *   record       pk T#<tenant>#IDEM#<keyId>   sk I#<idempotencyKey>
 *   shopper ref  pk T#<tenant>#S#<shopper>    sk IDEMREF#<keyId>#<idempotencyKey>   (erasure finds the record)
 * TTL: 24 h, both (Stripe's window).
 */
export const IDEMPOTENCY_TTL_S = 24 * 3600;
const REF_PREFIX = 'IDEMREF#';
/** The partition of a key's idempotency records in a tenant (exported for tests that read it raw). */
export const idempotencyPartition = (tenantId: string, keyId: string) => `${tenantPartition(tenantId)}#IDEM#${keyId}`;
const recordKey = (tenantId: string, keyId: string, idemKey: string): Key => ({
  pk: idempotencyPartition(tenantId, keyId),
  sk: `I#${idemKey}`,
});
const refKey = (tenantId: string, shopperId: string, keyId: string, idemKey: string): Key => ({
  pk: shopperPartition(tenantId, shopperId),
  sk: `${REF_PREFIX}${keyId}#${idemKey}`,
});
/** An in-flight record older than this is taken over (its request died). */
const IN_FLIGHT_STALE_S = 60;

export interface StoredResponse {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
}

export type BeginResult =
  | { state: 'started' }
  | { state: 'replay'; response: StoredResponse }
  | { state: 'in_flight' }
  | { state: 'mismatch' };

/** Claim an idempotency key for this request, or tell why not. */
export async function beginIdempotent(
  tenantId: string,
  keyId: string,
  idemKey: string,
  fingerprint: string,
): Promise<BeginResult> {
  const now = epochSeconds();
  try {
    await db().send(
      new PutCommand({
        TableName: table(),
        Item: {
          ...recordKey(tenantId, keyId, idemKey),
          state: 'in_flight',
          fingerprint,
          startedAt: now,
          ttl: ttlIn(IDEMPOTENCY_TTL_S),
        },
        ConditionExpression:
          'attribute_not_exists(pk) OR #ttl <= :now OR (#state = :inflight AND startedAt < :stale AND fingerprint = :fp)',
        ExpressionAttributeNames: { '#ttl': 'ttl', '#state': 'state' },
        ExpressionAttributeValues: {
          ':now': now,
          ':inflight': 'in_flight',
          ':stale': now - IN_FLIGHT_STALE_S,
          ':fp': fingerprint,
        },
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      }),
    );
    return { state: 'started' };
  } catch (err) {
    if (!isConditionFailed(err)) throw err;
    const old = conditionFailedItem(err);
    if (!old) return { state: 'in_flight' };
    if (old.fingerprint !== fingerprint) return { state: 'mismatch' };
    if (old.state !== 'done') return { state: 'in_flight' };
    return { state: 'replay', response: old.response as StoredResponse };
  }
}

/**
 * Record the first response, to be replayed for 24 h. When the response is
 * about a shopper, a reference in the shopper's partition lets erasure find it.
 */
export async function completeIdempotent(
  tenantId: string,
  keyId: string,
  idemKey: string,
  response: StoredResponse,
  shopperId?: string,
) {
  if (shopperId)
    await db().send(
      new PutCommand({
        TableName: table(),
        Item: { ...refKey(tenantId, shopperId, keyId, idemKey), keyId, idempotencyKey: idemKey, ttl: ttlIn(IDEMPOTENCY_TTL_S) },
      }),
    );
  await db().send(
    new UpdateCommand({
      TableName: table(),
      Key: recordKey(tenantId, keyId, idemKey),
      UpdateExpression: 'SET #state = :done, #response = :r',
      ExpressionAttributeNames: { '#state': 'state', '#response': 'response' },
      ExpressionAttributeValues: { ':done': 'done', ':r': response },
    }),
  );
}

/** Forget a claim whose request failed in a retryable way, so a retry can run. */
export async function abandonIdempotent(tenantId: string, keyId: string, idemKey: string) {
  await db().send(new DeleteCommand({ TableName: table(), Key: recordKey(tenantId, keyId, idemKey) }));
}

/** Is this shopper-partition item a reference to an idempotency record? */
export const isIdempotencyRefItem = (item: Record<string, unknown>) => String(item.sk).startsWith(REF_PREFIX);

/** Delete the idempotency records these shopper references point at (erasure). */
export async function deleteReferencedIdempotencyRecords(tenantId: string, refItems: Record<string, unknown>[]) {
  await Promise.all(refItems.map((r) => abandonIdempotent(tenantId, String(r.keyId), String(r.idempotencyKey))));
}
