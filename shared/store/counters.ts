import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { db, queryPartition, strip, table } from './db.js';
import { tenantPartition } from './keys.js';
import type { Key } from './table-def.js';
import type { TransactItem } from './transactions.js';

/**
 * Campaign counters: one item per campaign (totals and the budget) and one
 * per breakdown row (by day, by geofence), in the campaign's own partition
 * (which never holds a shopper id: distinct shoppers are counted through
 * seen-markers.ts). Every change is an atomic ADD, so counts stay exact under
 * concurrent writers. Exposures (offers, held-out records) are added in
 * batches by the stream consumer, never on the offer path; the budget lives
 * in budget.ts (sharded).
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

/** Which counter item an aggregated change goes to: the campaign's totals, one day's row or one geofence's row. */
export type CounterRowRef = { campaignId: string } & (
  | { row: 'totals' }
  | { row: 'day'; day: string }
  | { row: 'geofence'; geofenceId: string }
);

/** The transaction item adding `add` to one counter item (undefined when every amount is 0). */
export function counterAddItem(
  tenantId: string,
  ref: CounterRowRef,
  add: Partial<Record<CounterField, number>>,
): TransactItem | undefined {
  const [Key, set] =
    ref.row === 'totals'
      ? [totalsKey(tenantId, ref.campaignId), undefined]
      : ref.row === 'day'
        ? [rowKey(tenantId, ref.campaignId, DAY_PREFIX, ref.day), { dimension: 'DAY', value: ref.day }]
        : [rowKey(tenantId, ref.campaignId, GEOFENCE_PREFIX, ref.geofenceId), { dimension: 'GF', value: ref.geofenceId }];
  const update = addExpression(add, set);
  return update ? { Update: { Key, ...update } } : undefined;
}

function addExpression(add: Partial<Record<CounterField, number>>, set?: Record<string, string>) {
  const entries = Object.entries(add).filter(([, v]) => v);
  if (!entries.length) return undefined;
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
  return {
    UpdateExpression: `ADD ${adds.join(', ')}${sets.length ? ` SET ${sets.join(', ')}` : ''}`,
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: values,
  };
}

async function addTo(Key: { pk: string; sk: string }, add: Partial<Record<CounterField, number>>, set?: Record<string, string>) {
  const update = addExpression(add, set);
  if (!update) return;
  await db().send(new UpdateCommand({ TableName: table(), Key, ...update }));
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
