import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { db, ttlIn, table } from './db.js';
import type { Key } from './table-def.js';

/** A key's rate limit: `rps` requests per second sustained, `burst` at once. */
export interface RateLimit {
  rps: number;
  burst: number;
}

/**
 * The shared half of the per-key rate limit: how many requests of one key
 * every container together admitted in one coarse window.
 *   pk RL#<keyId>   sk W#<window index>   admitted: count   TTL: a minute past the window's end
 * A container adds what it admitted in one write per sync (not per request),
 * so the item of a window takes at most one write per container per sync
 * interval whatever the key's traffic. Only the current window's item is
 * written; older ones expire.
 */
export const rateLimitPartition = (keyId: string): string => `RL#${keyId}`;

/** Key of one window's item (exported for tests that read it raw). */
export const rateLimitWindowKey = (keyId: string, window: number): Key => ({
  pk: rateLimitPartition(keyId),
  sk: `W#${window}`,
});

/** How long past its window's end a window item is kept (it matters only while the window is current). */
const WINDOW_TTL_S = 60;

/**
 * Add `admitted` requests to a key's window, atomically; returns the window's
 * total after the add, as every container reported it.
 */
export async function addToWindow(keyId: string, window: number, windowMs: number, admitted: number): Promise<number> {
  const windowEnd = (window + 1) * windowMs;
  const res = await db().send(
    new UpdateCommand({
      TableName: table(),
      Key: rateLimitWindowKey(keyId, window),
      UpdateExpression: 'ADD #n :n SET #ttl = :ttl',
      ExpressionAttributeNames: { '#n': 'admitted', '#ttl': 'ttl' },
      ExpressionAttributeValues: { ':n': admitted, ':ttl': ttlIn(WINDOW_TTL_S, windowEnd) },
      ReturnValues: 'UPDATED_NEW',
    }),
  );
  return Number(res.Attributes?.admitted ?? admitted);
}
