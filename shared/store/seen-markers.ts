import { DeleteCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { db, epochSeconds, isConditionFailed, table, ttlInDays } from './db.js';
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
 * TTL: 400 days.
 */
const PREFIX = 'SEEN#';
const RETENTION_DAYS = 400;
const markerKey = (tenantId: string, shopperId: string, campaignId: string, row: string): Key => ({
  pk: shopperPartition(tenantId, shopperId),
  sk: `${PREFIX}${campaignId}#${row}`,
});

type Side = 'treatment' | 'holdout';

/**
 * Mark a shopper as counted in a campaign row; true only the first time (an
 * expired marker counts as absent). `by` names what is being counted (e.g.
 * an eligibility record): asking again for the same `by` answers true again,
 * so a consumer that is retried after a failure counts the shopper once.
 */
async function markSeen(tenantId: string, shopperId: string, campaignId: string, row: string, by?: string): Promise<boolean> {
  try {
    await db().send(
      new PutCommand({
        TableName: table(),
        Item: { ...markerKey(tenantId, shopperId, campaignId, row), ttl: ttlInDays(RETENTION_DAYS), ...(by ? { by } : {}) },
        ConditionExpression: `attribute_not_exists(pk) OR #ttl <= :now${by ? ' OR #by = :by' : ''}`,
        ExpressionAttributeNames: { '#ttl': 'ttl', ...(by ? { '#by': 'by' } : {}) },
        ExpressionAttributeValues: { ':now': epochSeconds(), ...(by ? { ':by': by } : {}) },
      }),
    );
    return true;
  } catch (err) {
    if (isConditionFailed(err)) return false;
    throw err;
  }
}

/** First exposure of the shopper to the campaign on this side (offered or held out)? */
export const markCampaignShopperSeen = (tenantId: string, shopperId: string, campaignId: string, side: Side, by?: string) =>
  markSeen(tenantId, shopperId, campaignId, side === 'treatment' ? 'T' : 'H', by);

/** First offer of the campaign to the shopper on this day (yyyy-mm-dd)? */
export const markDaySeen = (tenantId: string, shopperId: string, campaignId: string, day: string, by?: string) =>
  markSeen(tenantId, shopperId, campaignId, `D#${day}`, by);

/** First offer of the campaign to the shopper on this geofence? */
export const markGeofenceSeen = (tenantId: string, shopperId: string, campaignId: string, geofenceId: string, by?: string) =>
  markSeen(tenantId, shopperId, campaignId, `G#${geofenceId}`, by);

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
export const markRedeemerSeen = (tenantId: string, shopperId: string, campaignId: string, day: string) =>
  markSeen(tenantId, shopperId, campaignId, `RD#${day}`);

/** First conversion of the shopper attributed to the campaign on this side? */
export const markConverterSeen = (tenantId: string, shopperId: string, campaignId: string, side: Side) =>
  markSeen(tenantId, shopperId, campaignId, side === 'treatment' ? 'CT' : 'CH');

/** Is this shopper-partition item a distinct-shopper marker? */
export const isSeenMarkerItem = (item: Record<string, unknown>) => String(item.sk).startsWith(PREFIX);

/** A marker as the shopper's export shows it: which campaign row it counts them in, and when it expires. */
export const seenMarkerView = (item: Record<string, unknown>) => ({
  key: String(item.sk).slice(PREFIX.length),
  expiresAt: new Date(Number(item.ttl) * 1000).toISOString(),
});
