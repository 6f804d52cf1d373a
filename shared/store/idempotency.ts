import { DeleteCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { keys } from './keys.js';
import { conditionFailedItem, db, epochSeconds, isConditionFailed, table, ttlIn } from './db.js';

/** Idempotency records live 24 h (Stripe's window). */
export const IDEMPOTENCY_TTL_S = 24 * 3600;
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
          ...keys.idempotency(tenantId, keyId, idemKey),
          state: 'in_flight',
          fingerprint,
          startedAt: now,
          ttl: ttlIn(IDEMPOTENCY_TTL_S),
        },
        ConditionExpression: 'attribute_not_exists(pk) OR #ttl <= :now OR (#state = :inflight AND startedAt < :stale AND fingerprint = :fp)',
        ExpressionAttributeNames: { '#ttl': 'ttl', '#state': 'state' },
        ExpressionAttributeValues: { ':now': now, ':inflight': 'in_flight', ':stale': now - IN_FLIGHT_STALE_S, ':fp': fingerprint },
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
        Item: { ...keys.shopperIdempotencyRef(tenantId, shopperId, keyId, idemKey), keyId, idempotencyKey: idemKey, ttl: ttlIn(IDEMPOTENCY_TTL_S) },
      }),
    );
  await db().send(
    new UpdateCommand({
      TableName: table(),
      Key: keys.idempotency(tenantId, keyId, idemKey),
      UpdateExpression: 'SET #state = :done, #response = :r',
      ExpressionAttributeNames: { '#state': 'state', '#response': 'response' },
      ExpressionAttributeValues: { ':done': 'done', ':r': response },
    }),
  );
}

/** Forget a claim whose request failed in a retryable way, so a retry can run. */
export async function abandonIdempotent(tenantId: string, keyId: string, idemKey: string) {
  await db().send(new DeleteCommand({ TableName: table(), Key: keys.idempotency(tenantId, keyId, idemKey) }));
}

/** Delete idempotency records (erasure). */
export async function deleteIdempotencyRecords(tenantId: string, refs: { keyId: string; idempotencyKey: string }[]) {
  await Promise.all(refs.map((r) => abandonIdempotent(tenantId, r.keyId, r.idempotencyKey)));
}
