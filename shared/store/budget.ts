import { batchGet } from './batch.js';
import { tenantPartition } from './keys.js';
import type { Key } from './table-def.js';
import type { TransactItem } from './transactions.js';

/**
 * A campaign's budget (`budget.maxOffers`), sharded so that no single item
 * takes every offer's write: shard i may spend `shardAllowance(max, i)` units,
 * and the allowances add up to exactly max, so the budget is never exceeded
 * however many requests race (each unit is a conditional ADD inside the
 * offer's transaction). One shard per 1/16 of the offers: at DynamoDB's
 * ~1,000 writes/s per item, one campaign can spend ~16,000 units/s.
 *   shard   pk T#<tenant>#C#<campaignId>#B#<i>   sk BUDGET     (i < BUDGET_SHARDS; its own partition)
 * No TTL: it holds no personal data.
 */
export const BUDGET_SHARDS = 16;

/** How many shards a budget of `max` offers uses (a small budget uses fewer, each allowing at least one). */
export const shardCount = (max: number) => Math.max(1, Math.min(BUDGET_SHARDS, Math.floor(max)));

/** Units shard `i` may spend of a budget of `max`: the allowances of shards 0..shardCount-1 sum to max. */
export function shardAllowance(max: number, i: number): number {
  const n = shardCount(max);
  if (i >= n) return 0;
  return Math.floor(max / n) + (i < max % n ? 1 : 0);
}

const shardKey = (tenantId: string, campaignId: string, i: number): Key => ({
  pk: `${tenantPartition(tenantId)}#C#${campaignId}#B#${i}`,
  sk: 'BUDGET',
});

/** The transaction item that spends one unit of shard `i`, refused when the shard has spent its allowance. */
export function spendBudgetItem(tenantId: string, campaignId: string, max: number, i: number): TransactItem {
  return {
    Update: {
      Key: shardKey(tenantId, campaignId, i),
      UpdateExpression: 'ADD used :one',
      ConditionExpression: 'attribute_not_exists(used) OR used < :allow',
      ExpressionAttributeValues: { ':one': 1, ':allow': shardAllowance(max, i) },
    },
  };
}

/** Units spent per shard (every shard, whatever the current max: a budget may have been larger before). */
export async function readBudgetShards(tenantId: string, campaignId: string): Promise<number[]> {
  const items = await batchGet(Array.from({ length: BUDGET_SHARDS }, (_, i) => shardKey(tenantId, campaignId, i)));
  const used = new Array<number>(BUDGET_SHARDS).fill(0);
  for (const item of items) {
    const i = Number(String(item.pk).split('#B#')[1]);
    if (Number.isInteger(i) && i >= 0 && i < BUDGET_SHARDS) used[i] = Number(item.used ?? 0);
  }
  return used;
}

/** Units of the campaign's budget spent so far (the sum of its shards). */
export async function budgetUsed(tenantId: string, campaignId: string): Promise<number> {
  return (await readBudgetShards(tenantId, campaignId)).reduce((a, b) => a + b, 0);
}
