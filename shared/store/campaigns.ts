import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { batchGet, batchWrite } from './batch.js';
import { keys } from './keys.js';
import { db, strip, table } from './db.js';

/**
 * Fan-out rows "campaign c fires on geofence g" (partition `T#<t>#GFC#<g>`),
 * read on the offer path for the fences a shopper is in. The campaign item
 * stays the source of truth: the offer path re-checks that the campaign still
 * lists the fence, so a stale row can never make a campaign fire.
 */
export async function putCampaignLinks(tenantId: string, campaignId: string, geofenceIds: string[]): Promise<void> {
  await batchWrite(
    geofenceIds.map((g) => ({ PutRequest: { Item: { ...keys.campaignByGeofence(tenantId, g, campaignId), campaignId } } })),
  );
}

export async function deleteCampaignLinks(tenantId: string, campaignId: string, geofenceIds: string[]): Promise<void> {
  await batchWrite(geofenceIds.map((g) => ({ DeleteRequest: { Key: keys.campaignByGeofence(tenantId, g, campaignId) } })));
}

/** Campaign ids linked to each geofence: one Query per fence, in parallel (one round trip). */
export async function campaignIdsForGeofences(tenantId: string, geofenceIds: string[], perFence = 100): Promise<string[]> {
  const lists = await Promise.all(
    geofenceIds.map(async (g) => {
      const res = await db().send(
        new QueryCommand({
          TableName: table(),
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': keys.campaignByGeofenceList(tenantId, g).pk },
          Limit: perFence,
        }),
      );
      return (res.Items ?? []).map((i) => String(i.campaignId));
    }),
  );
  return [...new Set(lists.flat())];
}

/**
 * Does any campaign still list this geofence? Decided on the campaign items
 * (the truth), not on the links alone: links left by a write that lost a race
 * or failed halfway are removed here instead of blocking the fence forever.
 */
export async function geofenceInUse(tenantId: string, geofenceId: string): Promise<boolean> {
  for (;;) {
    const linked = await campaignIdsForGeofences(tenantId, [geofenceId]);
    if (!linked.length) return false;
    const campaigns = await getCampaignsByIds<{ id: string; geofenceIds: string[] }>(tenantId, linked);
    if (campaigns.some((c) => c.geofenceIds.includes(geofenceId))) return true;
    await batchWrite(linked.map((c) => ({ DeleteRequest: { Key: keys.campaignByGeofence(tenantId, geofenceId, c) } })));
  }
}

/** Campaign items by id (strongly consistent). */
export async function getCampaignsByIds<T>(tenantId: string, ids: string[]): Promise<T[]> {
  if (!ids.length) return [];
  return (await batchGet(ids.map((id) => keys.entity(tenantId, 'CAMPAIGN', id)))).map((i) => strip(i) as T);
}

/** Does any campaign of the tenant name this partner? (reads every campaign page; delete path only) */
export async function partnerHasCampaigns(tenantId: string, partnerId: string): Promise<boolean> {
  const { pk, skPrefix } = keys.entityList(tenantId, 'CAMPAIGN');
  let start: Record<string, unknown> | undefined;
  do {
    const res = await db().send(
      new QueryCommand({
        TableName: table(),
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :p)',
        FilterExpression: 'partnerId = :partner',
        ProjectionExpression: 'id',
        ExpressionAttributeValues: { ':pk': pk, ':p': skPrefix, ':partner': partnerId },
        ExclusiveStartKey: start,
      }),
    );
    if ((res.Items ?? []).length) return true;
    start = res.LastEvaluatedKey;
  } while (start);
  return false;
}
