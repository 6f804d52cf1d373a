import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { liveSlots } from '../domain/offers/frequency-cap.js';
import { db, isExpired, table } from './db.js';
import { shopperPartition } from './keys.js';
import type { Key } from './table-def.js';
import type { TransactItem } from './transactions.js';

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

/** Every live frequency-cap state of one shopper (one Query of their partition's CAP# items), by campaign. */
export async function getShopperCaps(tenantId: string, shopperId: string, nowMs = Date.now()) {
  const out = new Map<string, { slots: Record<string, number>; version: number }>();
  let start: Record<string, unknown> | undefined;
  do {
    const res = await db().send(
      new QueryCommand({
        TableName: table(),
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :p)',
        ExpressionAttributeValues: { ':pk': shopperPartition(tenantId, shopperId), ':p': PREFIX },
        ConsistentRead: true,
        ExclusiveStartKey: start,
      }),
    );
    for (const i of res.Items ?? [])
      if (!isExpired(i, nowMs))
        out.set(String(i.campaignId), { slots: (i.slots ?? {}) as Record<string, number>, version: Number(i.version ?? 0) });
    start = res.LastEvaluatedKey;
  } while (start);
  return out;
}

/**
 * The transaction item that takes one slot of a shopper's cap, given the
 * state read (`known`, absent when the shopper has no cap item): it writes
 * the live slots plus this one, on the condition that the item is still at
 * the version read, so two racing requests cannot both take the last slot.
 * Undefined when the cap is already full.
 */
export function takeCapSlotItem(
  tenantId: string,
  shopperId: string,
  campaignId: string,
  slotId: string,
  cap: { maxOffers: number; perHours: number },
  nowMs: number,
  known?: { slots: Record<string, number>; version: number },
): TransactItem | undefined {
  const state = known ?? { slots: {}, version: 0 };
  const live = liveSlots(state.slots, cap, nowMs);
  if (live.length >= cap.maxOffers) return undefined;
  return {
    Put: {
      Item: {
        ...capKey(tenantId, shopperId, campaignId),
        campaignId,
        slots: Object.fromEntries([...live, [slotId, nowMs]]),
        version: state.version + 1,
        ttl: Math.ceil((nowMs + cap.perHours * 3_600_000) / 1000) + 60,
      },
      ...(state.version === 0
        ? {
            ConditionExpression: 'attribute_not_exists(pk) OR #ttl < :now',
            ExpressionAttributeNames: { '#ttl': 'ttl' },
            ExpressionAttributeValues: { ':now': Math.floor(nowMs / 1000) },
          }
        : { ConditionExpression: 'version = :v', ExpressionAttributeValues: { ':v': state.version } }),
    },
  };
}
