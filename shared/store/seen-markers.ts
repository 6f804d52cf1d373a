import { DeleteCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { DEFAULT_RETENTION, RETAINED_KINDS, type Retention, retentionShortfallS } from '../domain/values/retention.js';
import { db, epochSeconds, isConditionFailed, table, ttlInDays, retainedUntil } from './db.js';
import { shopperPartition } from './keys.js';
import type { Key } from './table-def.js';

/**
 * Distinct-shopper markers: "this shopper is already counted in campaign c's
 * row r", behind the distinct-shopper counts of rates and k-anonymity. Kept
 * in the SHOPPER's partition, so erasure removes them with the rest and no
 * campaign partition ever holds a shopper id.
 *   pk T#<tenant>#S#<shopper>   sk SEEN#<campaignId>#<row>
 * rows: T / H (campaign, treatment / holdout), D#<day> (offered that day),
 *       G#<geofenceId> (offered on that fence), RD#<day> (redeemed that day),
 *       CT / CH (converted, treatment / holdout).
 * TTL: 400 days from the latest marking (the tenant's profileDays hides a marker sooner).
 */
const PREFIX = 'SEEN#';
const markerKey = (tenantId: string, shopperId: string, campaignId: string, row: string): Key => ({
  pk: shopperPartition(tenantId, shopperId),
  sk: `${PREFIX}${campaignId}#${row}`,
});

type Side = 'treatment' | 'holdout';

/** How a marking is judged: what it counts (`by`), under which retention, at which instant. */
export interface MarkOptions {
  /** What is being counted (e.g. an eligibility record): asking again for the same `by` answers true again. */
  by?: string;
  /** The tenant's retention: a marker past it counts as absent (the shopper is counted again). */
  retention?: Retention;
  nowMs?: number;
}

/**
 * Mark a shopper as counted in a campaign row; true only the first time (a
 * marker past the tenant's retention counts as absent). With `by`, asking
 * again for the same `by` answers true again, so a consumer that is retried
 * after a failure counts the shopper once.
 */
async function markSeen(
  tenantId: string,
  shopperId: string,
  campaignId: string,
  row: string,
  o: MarkOptions = {},
): Promise<boolean> {
  const { by, retention = DEFAULT_RETENTION, nowMs = Date.now() } = o;
  // A stored marker is past retention when its TTL minus the tenant's shortfall is not after now.
  const cutoff = epochSeconds(nowMs) + retentionShortfallS('statsMarker', retention);
  try {
    await db().send(
      new PutCommand({
        TableName: table(),
        Item: {
          ...markerKey(tenantId, shopperId, campaignId, row),
          ttl: ttlInDays(RETAINED_KINDS.statsMarker.writtenDays, nowMs),
          ...(by ? { by } : {}),
        },
        ConditionExpression: `attribute_not_exists(pk) OR #ttl <= :cutoff${by ? ' OR #by = :by' : ''}`,
        ExpressionAttributeNames: { '#ttl': 'ttl', ...(by ? { '#by': 'by' } : {}) },
        ExpressionAttributeValues: { ':cutoff': cutoff, ...(by ? { ':by': by } : {}) },
      }),
    );
    return true;
  } catch (err) {
    if (isConditionFailed(err)) return false;
    throw err;
  }
}

/** First exposure of the shopper to the campaign on this side (offered or held out)? */
export const markCampaignShopperSeen = (tenantId: string, shopperId: string, campaignId: string, side: Side, o?: MarkOptions) =>
  markSeen(tenantId, shopperId, campaignId, side === 'treatment' ? 'T' : 'H', o);

/** First offer of the campaign to the shopper on this day (yyyy-mm-dd)? */
export const markDaySeen = (tenantId: string, shopperId: string, campaignId: string, day: string, o?: MarkOptions) =>
  markSeen(tenantId, shopperId, campaignId, `D#${day}`, o);

/** First offer of the campaign to the shopper on this geofence? */
export const markGeofenceSeen = (tenantId: string, shopperId: string, campaignId: string, geofenceId: string, o?: MarkOptions) =>
  markSeen(tenantId, shopperId, campaignId, `G#${geofenceId}`, o);

/**
 * Take back the exposure markers (campaign side, day, geofence) that `by`
 * set, and only those: the record they counted was erased before it was
 * counted, and nothing about an erased shopper may be left behind.
 */
export async function unmarkExposure(
  tenantId: string,
  shopperId: string,
  campaignId: string,
  side: Side,
  day: string,
  geofenceId: string,
  by: string,
): Promise<void> {
  const rows = side === 'treatment' ? ['T', `D#${day}`, `G#${geofenceId}`] : ['H'];
  await Promise.all(
    rows.map(async (row) => {
      try {
        await db().send(
          new DeleteCommand({
            TableName: table(),
            Key: markerKey(tenantId, shopperId, campaignId, row),
            ConditionExpression: '#by = :by',
            ExpressionAttributeNames: { '#by': 'by' },
            ExpressionAttributeValues: { ':by': by },
          }),
        );
      } catch (err) {
        if (!isConditionFailed(err)) throw err;
      }
    }),
  );
}

/** First redemption of the campaign by the shopper on this day (yyyy-mm-dd)? */
export const markRedeemerSeen = (tenantId: string, shopperId: string, campaignId: string, day: string, o?: MarkOptions) =>
  markSeen(tenantId, shopperId, campaignId, `RD#${day}`, o);

/** First conversion of the shopper attributed to the campaign on this side? */
export const markConverterSeen = (tenantId: string, shopperId: string, campaignId: string, side: Side, o?: MarkOptions) =>
  markSeen(tenantId, shopperId, campaignId, side === 'treatment' ? 'CT' : 'CH', o);

/** Is this shopper-partition item a distinct-shopper marker? */
export const isSeenMarkerItem = (item: Record<string, unknown>) => String(item.sk).startsWith(PREFIX);

/** A marker as the shopper's export shows it: which campaign row it counts them in, and when it stops being kept. */
export const seenMarkerView = (item: Record<string, unknown>, retention: Retention = DEFAULT_RETENTION) => ({
  key: String(item.sk).slice(PREFIX.length),
  expiresAt: new Date((retainedUntil('statsMarker', item, retention) ?? Number(item.ttl)) * 1000).toISOString(),
});
