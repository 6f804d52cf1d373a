import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { conditionFailedItem, db, isConditionFailed, table } from './db.js';
import type { Key } from './table-def.js';

/**
 * Rate-limit state of one API key (GCRA theoretical arrival time).
 *   pk RL#<keyId>   sk RL      TTL: a minute past the burst window (after that the state no longer matters)
 */
export interface RateLimit {
  rps: number;
  burst: number;
}

/** Key of a key's rate-limit state (exported for tests that read it raw). */
export const rateLimitKey = (keyId: string): Key => ({ pk: `RL#${keyId}`, sk: 'RL' });

/**
 * Per-key rate limit, GCRA (the token bucket as one timestamp): each request
 * moves the key's "theoretical arrival time" (tat) on by 1/rps; a request is
 * allowed while tat - now <= (burst - 1)/rps. State is one DynamoDB item per
 * key, so every Lambda container and the local gateway share it exactly.
 * One conditional write in the common case, two when the bucket was idle.
 * Returns 0 when allowed, else the seconds to wait.
 */
export async function takeToken(keyId: string, limit: RateLimit, now = Date.now()): Promise<number> {
  const interval = 1000 / limit.rps;
  const tolerance = (limit.burst - 1) * interval;
  const Key = rateLimitKey(keyId);
  const ttl = Math.ceil((now + tolerance + 60_000) / 1000);

  // Busy bucket: tat in [now, now + tolerance] -> advance it.
  const busy = await advance(Key, interval, tolerance, now, ttl);
  if (busy === true) return 0;
  if (busy !== undefined && busy > now + tolerance) return (busy - now - tolerance) / 1000;

  try {
    // Idle bucket (no state, or tat in the past): restart from now.
    await db().send(
      new UpdateCommand({
        TableName: table(),
        Key,
        UpdateExpression: 'SET tat = :next, #ttl = :ttl',
        ConditionExpression: 'attribute_not_exists(tat) OR tat < :now',
        ExpressionAttributeNames: { '#ttl': 'ttl' },
        ExpressionAttributeValues: { ':next': now + interval, ':now': now, ':ttl': ttl },
      }),
    );
    return 0;
  } catch (err) {
    if (!isConditionFailed(err)) throw err;
  }
  // Another request moved the bucket in between: one more try on the busy path, else wait one interval.
  return (await advance(Key, interval, tolerance, now, ttl)) === true ? 0 : interval / 1000;
}

/** Advance a busy bucket; true when taken, else the tat found (undefined when there was none). */
async function advance(
  Key: Key,
  interval: number,
  tolerance: number,
  now: number,
  ttl: number,
): Promise<true | number | undefined> {
  try {
    await db().send(
      new UpdateCommand({
        TableName: table(),
        Key,
        UpdateExpression: 'SET tat = tat + :i, #ttl = :ttl',
        ConditionExpression: 'tat >= :now AND tat <= :max',
        ExpressionAttributeNames: { '#ttl': 'ttl' },
        ExpressionAttributeValues: { ':i': interval, ':now': now, ':max': now + tolerance, ':ttl': ttl },
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      }),
    );
    return true;
  } catch (err) {
    if (!isConditionFailed(err)) throw err;
    const tat = conditionFailedItem(err)?.tat;
    return typeof tat === 'number' ? tat : undefined;
  }
}
