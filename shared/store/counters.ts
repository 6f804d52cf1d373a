import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { keys } from './keys.js';
import { db, isConditionFailed, queryPartition, table, ttlIn } from './db.js';
import { DAY_S, RETENTION } from './retention.js';

/**
 * Campaign counters: one item per campaign (totals and the budget) and one
 * per breakdown row (by day, by geofence). Every change is an atomic ADD, so
 * counts stay exact under concurrent writers; the budget is a conditional ADD.
 */

export type CounterField =
  | 'eligible'
  | 'offered'
  | 'heldOut'
  | 'delivered'
  | 'deliveryFailed'
  | 'redeemed'
  | 'treatmentShoppers'
  | 'holdoutShoppers'
  | 'treatmentConverters'
  | 'holdoutConverters'
  | 'treatmentPurchases'
  | 'holdoutPurchases'
  | 'treatmentRevenue'
  | 'holdoutRevenue'
  | 'shoppers'
  | 'redeemers'
  | 'used';

/**
 * Take one unit of a campaign's budget and count the offer, atomically.
 * Returns false when the budget is spent (never exceeded, however many race).
 */
export async function consumeBudget(tenantId: string, campaignId: string, maxOffers: number | undefined): Promise<boolean> {
  try {
    await db().send(
      new UpdateCommand({
        TableName: table(),
        Key: keys.campaignCounters(tenantId, campaignId),
        UpdateExpression: 'ADD used :one, offered :one, eligible :one',
        ...(maxOffers !== undefined
          ? { ConditionExpression: 'attribute_not_exists(used) OR used < :max', ExpressionAttributeValues: { ':one': 1, ':max': maxOffers } }
          : { ExpressionAttributeValues: { ':one': 1 } }),
      }),
    );
    return true;
  } catch (err) {
    if (isConditionFailed(err)) return false;
    throw err;
  }
}

/** Give back one unit of budget (the offer it paid for was not written). */
export async function refundBudget(tenantId: string, campaignId: string): Promise<void> {
  await addCounters(tenantId, campaignId, { used: -1, offered: -1, eligible: -1 });
}

/** Add to counters of the campaign's totals item. */
export async function addCounters(tenantId: string, campaignId: string, add: Partial<Record<CounterField, number>>): Promise<void> {
  await addTo(keys.campaignCounters(tenantId, campaignId), add);
}

/** Add to a breakdown row (DAY = yyyy-mm-dd, GF = geofence id). */
export async function addBreakdown(
  tenantId: string,
  campaignId: string,
  dimension: 'DAY' | 'GF',
  value: string,
  add: Partial<Record<CounterField, number>>,
): Promise<void> {
  await addTo(keys.campaignBreakdown(tenantId, campaignId, dimension, value), add, { dimension, value });
}

async function addTo(Key: { pk: string; sk: string }, add: Partial<Record<CounterField, number>>, set?: Record<string, string>) {
  const entries = Object.entries(add).filter(([, v]) => v);
  if (!entries.length) return;
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = {};
  const adds = entries.map(([k, v], i) => {
    names[`#c${i}`] = k;
    values[`:c${i}`] = v;
    return `#c${i} :c${i}`;
  });
  const sets = Object.entries(set ?? {}).map(([k, v], i) => {
    names[`#s${i}`] = k;
    values[`:s${i}`] = v;
    return `#s${i} = :s${i}`;
  });
  await db().send(
    new UpdateCommand({
      TableName: table(),
      Key,
      UpdateExpression: `ADD ${adds.join(', ')}${sets.length ? ` SET ${sets.join(', ')}` : ''}`,
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
    }),
  );
}

/**
 * Mark a shopper as counted in a campaign row; true only the first time
 * (the distinct-shopper counts behind rates and k-anonymity).
 */
export async function markSeen(tenantId: string, shopperId: string, campaignId: string, row: string): Promise<boolean> {
  try {
    await db().send(
      new PutCommand({
        TableName: table(),
        Item: { ...keys.shopperSeen(tenantId, shopperId, campaignId, row), ttl: ttlIn(RETENTION.seenDays * DAY_S) },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
    return true;
  } catch (err) {
    if (isConditionFailed(err)) return false;
    throw err;
  }
}

/** The totals item and every breakdown row of a campaign. */
export async function readCampaignStats(tenantId: string, campaignId: string) {
  const [totals, rows] = await Promise.all([
    db().send(new GetCommand({ TableName: table(), Key: keys.campaignCounters(tenantId, campaignId), ConsistentRead: true })),
    queryPartition(keys.campaignPartition(tenantId, campaignId).pk, 'STATS#'),
  ]);
  return { totals: (totals.Item ?? {}) as Record<string, number>, rows: rows.filter((r) => r.sk !== 'STATS') };
}
