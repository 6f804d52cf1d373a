import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { db, isConditionFailed, queryPartition, strip, table } from './db.js';
import { tenantPartition } from './keys.js';
import type { Key } from './table-def.js';

/**
 * Campaign counters: one item per campaign (totals and the budget) and one
 * per breakdown row (by day, by geofence), in the campaign's own partition
 * (which never holds a shopper id: distinct shoppers are counted through
 * seen-markers.ts). Every change is an atomic ADD, so counts stay exact under
 * concurrent writers; the budget is a conditional ADD.
 *   totals   pk T#<tenant>#C#<campaignId>   sk STATS
 *   by day   pk T#<tenant>#C#<campaignId>   sk STATS#DAY#<yyyy-mm-dd>
 *   by fence pk T#<tenant>#C#<campaignId>   sk STATS#GF#<geofenceId>
 * No TTL: aggregates hold no personal data.
 */
const TOTALS_SK = 'STATS';
const DAY_PREFIX = 'STATS#DAY#';
const GEOFENCE_PREFIX = 'STATS#GF#';
/** The campaign's stats partition (exported for tests that read it raw). */
export const campaignStatsPartition = (tenantId: string, campaignId: string) => `${tenantPartition(tenantId)}#C#${campaignId}`;
const totalsKey = (tenantId: string, campaignId: string): Key => ({
  pk: campaignStatsPartition(tenantId, campaignId),
  sk: TOTALS_SK,
});
const rowKey = (tenantId: string, campaignId: string, prefix: string, value: string): Key => ({
  pk: campaignStatsPartition(tenantId, campaignId),
  sk: `${prefix}${value}`,
});

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
        Key: totalsKey(tenantId, campaignId),
        UpdateExpression: 'ADD used :one, offered :one, eligible :one',
        ...(maxOffers !== undefined
          ? {
              ConditionExpression: 'attribute_not_exists(used) OR used < :max',
              ExpressionAttributeValues: { ':one': 1, ':max': maxOffers },
            }
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
export async function addCounters(
  tenantId: string,
  campaignId: string,
  add: Partial<Record<CounterField, number>>,
): Promise<void> {
  await addTo(totalsKey(tenantId, campaignId), add);
}

/** Add to the campaign's row of one day (yyyy-mm-dd). */
export async function addDayCounters(
  tenantId: string,
  campaignId: string,
  day: string,
  add: Partial<Record<CounterField, number>>,
): Promise<void> {
  await addTo(rowKey(tenantId, campaignId, DAY_PREFIX, day), add, { dimension: 'DAY', value: day });
}

/** Add to the campaign's row of one geofence. */
export async function addGeofenceCounters(
  tenantId: string,
  campaignId: string,
  geofenceId: string,
  add: Partial<Record<CounterField, number>>,
): Promise<void> {
  await addTo(rowKey(tenantId, campaignId, GEOFENCE_PREFIX, geofenceId), add, { dimension: 'GF', value: geofenceId });
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

/** One breakdown row: its day or geofence id, and its counters. */
export type CounterRow = { key: string } & Partial<Record<CounterField, number>>;

export interface CampaignStats {
  totals: Partial<Record<CounterField, number>>;
  byDay: CounterRow[];
  byGeofence: CounterRow[];
}

/**
 * Tell apart the items of a campaign's stats (totals, day rows, geofence
 * rows) by their sort keys; anything else in the partition is ignored. Pure.
 */
export function splitCampaignStats(items: Record<string, unknown>[]): CampaignStats {
  const out: CampaignStats = { totals: {}, byDay: [], byGeofence: [] };
  for (const item of items) {
    const sk = String(item.sk);
    const { dimension: _d, value: _v, ...counters } = strip(item) as Record<string, number>;
    if (sk === TOTALS_SK) out.totals = counters;
    else if (sk.startsWith(DAY_PREFIX)) out.byDay.push({ ...counters, key: sk.slice(DAY_PREFIX.length) });
    else if (sk.startsWith(GEOFENCE_PREFIX)) out.byGeofence.push({ ...counters, key: sk.slice(GEOFENCE_PREFIX.length) });
  }
  return out;
}

/** The totals and every breakdown row of a campaign: one strongly consistent query of its partition. */
export async function readCampaignStats(tenantId: string, campaignId: string): Promise<CampaignStats> {
  return splitCampaignStats(await queryPartition(campaignStatsPartition(tenantId, campaignId), TOTALS_SK));
}
