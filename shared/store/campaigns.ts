import { createHash } from 'node:crypto';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { CampaignSettings } from '../domain/targeting/index.js';
import { batchWrite } from './batch.js';
import { db, queryPartition, scanSegments, table } from './db.js';
import {
  createEntity,
  deleteEntity,
  entityListKey,
  getEntitiesByIds,
  getEntity,
  listEntities,
  replaceEntity,
  type Page,
} from './entities.js';
import { tenantPartition } from './keys.js';
import type { Key } from './table-def.js';

/**
 * A campaign, and its fan-out rows "campaign c fires on geofence g".
 *   campaign    pk T#<tenant>                     sk CAMPAIGN#<campaignId>
 *   link        pk T#<tenant>#LINKS#<shard>        sk G#<geofenceId>#C#<campaignId>
 * A fence's links live in one of LINK_SHARDS partitions of the tenant (by a
 * hash of the fence id), so the offer path reads ALL of a tenant's links in
 * one round (one Query per shard, in parallel) and caches them: about 10,000
 * links fit one shard's 1 MB page, so up to ~160,000 links load in one round.
 * No TTL (configuration). The campaign item stays the source of truth: the
 * offer path re-checks that the campaign still lists the fence, so a stale
 * link can never make a campaign fire. Counters live in counters.ts.
 */
export interface Campaign extends Omit<CampaignSettings, 'partnerId'> {
  id: string;
  partnerId: string | null;
  createdAt: string;
  updatedAt: string;
  version: number;
}

const KIND = 'CAMPAIGN';
/** Partitions a tenant's links are spread over (read in parallel on the offer path). */
export const LINK_SHARDS = 16;
const linkShard = (geofenceId: string) => createHash('sha1').update(geofenceId, 'utf8').digest()[0] % LINK_SHARDS;
const linksPartition = (tenantId: string, shard: number) => `${tenantPartition(tenantId)}#LINKS#${shard}`;
const linkFencePrefix = (geofenceId: string) => `G#${geofenceId}#C#`;
const linkKey = (tenantId: string, geofenceId: string, campaignId: string): Key => ({
  pk: linksPartition(tenantId, linkShard(geofenceId)),
  sk: `${linkFencePrefix(geofenceId)}${campaignId}`,
});
/** The fence and campaign of a link row, from its sort key (ids never contain '#'). */
function parseLinkSk(sk: string): { geofenceId: string; campaignId: string } | undefined {
  const m = /^G#([^#]+)#C#([^#]+)$/.exec(sk);
  return m ? { geofenceId: m[1], campaignId: m[2] } : undefined;
}

/** One campaign of a tenant, or undefined. */
export const getCampaign = (tenantId: string, id: string) => getEntity<Campaign>(tenantId, KIND, id);

/** Campaigns by id (strongly consistent BatchGet); missing ones are left out. */
export const getCampaignsByIds = <T = Campaign>(tenantId: string, ids: string[]) => getEntitiesByIds<T>(tenantId, KIND, ids);

/** Create a campaign (its id must be new). */
export const insertCampaign = (tenantId: string, campaign: Campaign) => createEntity(tenantId, KIND, campaign);

/** Replace a campaign still at `expectedVersion`; false when it changed or went meanwhile. */
export const replaceCampaign = (tenantId: string, campaign: Campaign, expectedVersion: number) =>
  replaceEntity(tenantId, KIND, campaign, expectedVersion);

/** Delete a campaign; the deleted campaign, or undefined when there was none. */
export const removeCampaign = (tenantId: string, id: string) => deleteEntity<Campaign>(tenantId, KIND, id);

/** One page of a tenant's campaigns. */
export const listCampaignsPage = (tenantId: string, limit: number, cursor: string | undefined): Promise<Page<Campaign>> =>
  listEntities<Campaign>(tenantId, KIND, limit, cursor);

/** Link a campaign to geofences (one row per fence). */
export async function putCampaignLinks(tenantId: string, campaignId: string, geofenceIds: string[]): Promise<void> {
  await batchWrite(geofenceIds.map((g) => ({ PutRequest: { Item: { ...linkKey(tenantId, g, campaignId) } } })));
}

/** Remove a campaign's links to geofences. */
export async function deleteCampaignLinks(tenantId: string, campaignId: string, geofenceIds: string[]): Promise<void> {
  await batchWrite(geofenceIds.map((g) => ({ DeleteRequest: { Key: linkKey(tenantId, g, campaignId) } })));
}

/** Campaign ids linked to any of these geofences: one Query per fence, in parallel (one round trip). */
export async function campaignIdsForGeofences(tenantId: string, geofenceIds: string[], perFence = 100): Promise<string[]> {
  const lists = await campaignIdsByGeofence(tenantId, geofenceIds, perFence);
  return [...new Set([...lists.values()].flat())];
}

/** Campaign ids linked to each geofence (every fence asked is in the map): one Query per fence, in parallel. */
export async function campaignIdsByGeofence(tenantId: string, geofenceIds: string[], perFence = 100) {
  const lists = await Promise.all(
    geofenceIds.map(async (g): Promise<[string, string[]]> => {
      const res = await db().send(
        new QueryCommand({
          TableName: table(),
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :p)',
          ExpressionAttributeValues: { ':pk': linksPartition(tenantId, linkShard(g)), ':p': linkFencePrefix(g) },
          Limit: perFence,
        }),
      );
      return [g, (res.Items ?? []).flatMap((i) => parseLinkSk(String(i.sk))?.campaignId ?? [])];
    }),
  );
  return new Map(lists);
}

/**
 * Every link of a tenant, as fence id → campaign ids: one Query per shard, all
 * in parallel, eventually consistent (each shard pages on past 1 MB, about
 * 10,000 links). The offer path's configuration cache holds the result.
 */
export async function allCampaignLinks(tenantId: string): Promise<Map<string, string[]>> {
  const shards = await Promise.all(
    Array.from({ length: LINK_SHARDS }, (_, shard) =>
      queryPartition(linksPartition(tenantId, shard), undefined, { projection: 'sk', consistent: false }),
    ),
  );
  const out = new Map<string, string[]>();
  for (const item of shards.flat()) {
    const link = parseLinkSk(String(item.sk));
    if (!link) continue;
    const list = out.get(link.geofenceId);
    if (list) list.push(link.campaignId);
    else out.set(link.geofenceId, [link.campaignId]);
  }
  return out;
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
    const campaigns = await getCampaignsByIds(tenantId, linked);
    if (campaigns.some((c) => c.geofenceIds.includes(geofenceId))) return true;
    await batchWrite(linked.map((c) => ({ DeleteRequest: { Key: linkKey(tenantId, geofenceId, c) } })));
  }
}

/** Does any campaign of the tenant name this partner? (reads every campaign page; delete path only) */
export async function partnerHasCampaigns(tenantId: string, partnerId: string): Promise<boolean> {
  const { pk, skPrefix } = entityListKey(tenantId, KIND);
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

/**
 * Move links written before they were spread over LINK_SHARDS partitions
 * (one partition per fence: pk `T#<tenant>#GFC#<fence>`, sk `C#<campaign>`)
 * to their partition of today, deleting the old rows. Until a deployment has
 * run it (`npm run migrate-links`), the campaigns of those old links do not
 * fire. A one-off operation with operator credentials: it scans the table
 * (`segments` parallel segments), which no function may do. Idempotent: run
 * again, it moves what is left. Returns the links moved.
 */
export async function migrateLegacyLinks(opts: { tableName?: string; segments?: number } = {}): Promise<number> {
  const TableName = opts.tableName ?? table();
  const segments = opts.segments ?? 4;
  const legacy = /^T#([^#]+)#GFC#([^#]+)$/;
  const filter = { expression: 'contains(pk, :gfc)', values: { ':gfc': '#GFC#' }, projection: 'pk, sk' };
  return scanSegments(TableName, segments, filter, async (items) => {
    const rows = items.flatMap((i) => {
      const m = legacy.exec(String(i.pk));
      const campaignId = String(i.sk).startsWith('C#') ? String(i.sk).slice(2) : '';
      return m && campaignId && !campaignId.includes('#')
        ? [{ old: { pk: i.pk, sk: i.sk }, tenantId: m[1], geofenceId: m[2], campaignId }]
        : [];
    });
    // The new row first, then the old one goes: a failure in between leaves both, never neither.
    await batchWrite(
      rows.map((r) => ({ PutRequest: { Item: { ...linkKey(r.tenantId, r.geofenceId, r.campaignId) } } })),
      TableName,
    );
    await batchWrite(
      rows.map((r) => ({ DeleteRequest: { Key: { pk: String(r.old.pk), sk: String(r.old.sk) } } })),
      TableName,
    );
    return rows.length;
  });
}
