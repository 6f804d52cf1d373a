import { PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { liveSlots } from '../domain/offers/frequency-cap.js';
import { batchGet } from './batch.js';
import { conditionFailedItem, db, isConditionFailed, isExpired, table } from './db.js';
import { shopperPartition } from './keys.js';
import type { Key } from './table-def.js';

/**
 * A shopper's frequency-cap state for one campaign: the slots taken in the
 * window (by slot id, at epoch ms) and a version for conditional writes.
 *   pk T#<tenant>#S#<shopper>   sk CAP#<campaignId>
 * TTL: a minute after the window of its latest slot ends.
 */
const PREFIX = 'CAP#';
const capKey = (tenantId: string, shopperId: string, campaignId: string): Key => ({
  pk: shopperPartition(tenantId, shopperId),
  sk: `${PREFIX}${campaignId}`,
});

/** Is this shopper-partition item a frequency-cap state? */
export const isFrequencyCapItem = (item: Record<string, unknown>) => String(item.sk).startsWith(PREFIX);

/** Frequency-cap state of one shopper for several campaigns (one BatchGet). */
export async function getCaps(tenantId: string, shopperId: string, campaignIds: string[]) {
  const items = await batchGet(campaignIds.map((c) => capKey(tenantId, shopperId, c)));
  const out = new Map<string, { slots: Record<string, number>; version: number }>();
  for (const i of items)
    if (!isExpired(i))
      out.set(String(i.campaignId), { slots: (i.slots ?? {}) as Record<string, number>, version: Number(i.version ?? 0) });
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
    const live = liveSlots(state.slots, cap, nowMs);
    if (live.length >= cap.maxOffers) return false;
    const slots = Object.fromEntries([...live, [slotId, nowMs]]);
    try {
      await db().send(
        new PutCommand({
          TableName: table(),
          Item: {
            ...capKey(tenantId, shopperId, campaignId),
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
      state = old
        ? { slots: (old.slots ?? {}) as Record<string, number>, version: Number(old.version ?? 0) }
        : { slots: {}, version: 0 };
      if (old && isExpired(old as { ttl?: number }, nowMs)) state = { slots: {}, version: 0 };
      await new Promise((r) => setTimeout(r, Math.random() * 10 * (attempt + 1)));
    }
  }
  // Still racing after several tries: refuse rather than risk exceeding the cap.
  return false;
}

/** Give a slot back (the budget refused the offer). */
export async function releaseCap(tenantId: string, shopperId: string, campaignId: string, slotId: string): Promise<void> {
  await db()
    .send(
      new UpdateCommand({
        TableName: table(),
        Key: capKey(tenantId, shopperId, campaignId),
        UpdateExpression: 'REMOVE slots.#s SET version = version + :one',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeNames: { '#s': slotId },
        ExpressionAttributeValues: { ':one': 1 },
      }),
    )
    .catch((err) => {
      if (!isConditionFailed(err)) throw err;
    });
}
