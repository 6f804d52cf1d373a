import { randomUUID } from 'node:crypto';
import { DeleteCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { IDEMPOTENCY_LEASE_S } from '../platform/deadline.js';
import { conditionFailedItem, db, epochSeconds, isConditionFailed, table, ttlIn } from './db.js';
import { shopperPartition, tenantPartition } from './keys.js';
import type { Key } from './table-def.js';
import type { TaggedItem } from './transactions.js';

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
/**
 * An in-flight claim is a lease of IDEMPOTENCY_LEASE_S seconds, the
 * `Retry-After` of a request that ran out of time: a retry after that long
 * takes the key over (its first request died or gave up at its deadline),
 * and the first request can no longer complete it (completion is
 * conditional on its own lease), so the retry either replays or runs afresh.
 * The lease's end (`leaseUntil`) is computed from the clock before the claim
 * is sent and is part of the item, so every attempt the SDK sends, and a
 * claim the table writes late, carries the same end: never later than
 * `Retry-After` after the request's answer.
 */
const LEASE_MS = IDEMPOTENCY_LEASE_S * 1000;

export interface StoredResponse {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
}

export type BeginResult =
  | { state: 'started'; lease: string }
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
  const nowMs = Date.now();
  const lease = randomUUID();
  try {
    await db().send(
      new PutCommand({
        TableName: table(),
        Item: {
          ...recordKey(tenantId, keyId, idemKey),
          state: 'in_flight',
          fingerprint,
          lease,
          leaseUntil: nowMs + LEASE_MS,
          ttl: ttlIn(IDEMPOTENCY_TTL_S),
        },
        ConditionExpression:
          'attribute_not_exists(pk) OR #ttl <= :now OR (#state = :inflight AND leaseUntil <= :nowMs AND fingerprint = :fp)',
        ExpressionAttributeNames: { '#ttl': 'ttl', '#state': 'state' },
        ExpressionAttributeValues: {
          ':now': epochSeconds(nowMs),
          ':nowMs': nowMs,
          ':inflight': 'in_flight',
          ':fp': fingerprint,
        },
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      }),
    );
    return { state: 'started', lease };
  } catch (err) {
    if (!isConditionFailed(err)) throw err;
    const old = conditionFailedItem(err);
    if (!old) return { state: 'in_flight' };
    // This request's own claim: an earlier attempt of this same PutItem was written, its answer was lost (a
    // request timeout) and the SDK sent it again, which the record it wrote refuses. The lease is a random value
    // of this call alone, so the record is ours and nothing else has run under it.
    if (old.lease === lease && old.state === 'in_flight') return { state: 'started', lease };
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
  lease: string,
  response: StoredResponse,
  shopperId?: string,
) {
  const [ref, record] = completionItems(tenantId, keyId, idemKey, lease, response, shopperId);
  if (ref && 'Put' in ref.item) await db().send(new PutCommand({ TableName: table(), ...ref.item.Put }));
  const done = record ?? ref;
  if (!done || !('Update' in done.item)) return;
  try {
    await db().send(new UpdateCommand({ TableName: table(), ...done.item.Update }));
  } catch (err) {
    // The lease ran out and a retry took the key over: its outcome stands.
    if (!isConditionFailed(err)) throw err;
  }
}

/**
 * The same completion as transaction items (the shopper reference, then the
 * record, tagged `idempotency`), for a request that writes its outcome and
 * its idempotency record in one transaction: then a request that ran out of
 * time after writing is replayed, never run twice.
 */
export function completionItems(
  tenantId: string,
  keyId: string,
  idemKey: string,
  lease: string,
  response: StoredResponse,
  shopperId?: string,
): TaggedItem[] {
  return [
    ...(shopperId
      ? [
          {
            tag: 'idempotency-ref',
            item: {
              Put: {
                Item: {
                  ...refKey(tenantId, shopperId, keyId, idemKey),
                  keyId,
                  idempotencyKey: idemKey,
                  ttl: ttlIn(IDEMPOTENCY_TTL_S),
                },
              },
            },
          },
        ]
      : []),
    {
      tag: 'idempotency',
      item: {
        Update: {
          Key: recordKey(tenantId, keyId, idemKey),
          UpdateExpression: 'SET #state = :done, #response = :r',
          ConditionExpression: '#state = :inflight AND lease = :lease',
          ExpressionAttributeNames: { '#state': 'state', '#response': 'response' },
          ExpressionAttributeValues: { ':done': 'done', ':r': response, ':inflight': 'in_flight', ':lease': lease },
        },
      },
    },
  ];
}

/** Forget a claim whose request failed in a retryable way, so a retry can run (only while it is still this request's lease). */
export async function abandonIdempotent(tenantId: string, keyId: string, idemKey: string, lease?: string) {
  try {
    await db().send(
      new DeleteCommand({
        TableName: table(),
        Key: recordKey(tenantId, keyId, idemKey),
        // Only a claim still in flight under this request's lease: a record completed in the request's own
        // transaction (its offers written) stays, so a retry replays it instead of making a second offer.
        ...(lease
          ? {
              ConditionExpression: 'lease = :lease AND #state = :inflight',
              ExpressionAttributeNames: { '#state': 'state' },
              ExpressionAttributeValues: { ':lease': lease, ':inflight': 'in_flight' },
            }
          : {}),
      }),
    );
  } catch (err) {
    if (!isConditionFailed(err)) throw err;
  }
}

/** Is this shopper-partition item a reference to an idempotency record? */
export const isIdempotencyRefItem = (item: Record<string, unknown>) => String(item.sk).startsWith(REF_PREFIX);

/** Delete the idempotency records these shopper references point at (erasure). */
export async function deleteReferencedIdempotencyRecords(tenantId: string, refItems: Record<string, unknown>[]) {
  await Promise.all(refItems.map((r) => abandonIdempotent(tenantId, String(r.keyId), String(r.idempotencyKey))));
}
