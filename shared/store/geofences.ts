import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { BBox } from '../domain/geo/bbox.js';
import { batchGet, batchWrite } from './batch.js';
import { keys } from './keys.js';
import { db, decodeCursor, encodeCursor, strip, table } from './db.js';

/**
 * The H3 cell index. One row per (cell, geofence) in the partition
 * `T#<tenant>#CELL#<h3>`, carrying the fence's bounding box so the lookup can
 * drop far candidates before reading any geometry. The geofence item itself
 * is the source of truth: a stale or orphan row can only cost a read, never
 * return a deleted fence.
 */
export interface IndexRow {
  geofenceId: string;
  bbox: BBox;
}

/** Write index rows for a fence's cells. */
export async function putIndexRows(tenantId: string, geofenceId: string, cells: string[], bbox: BBox): Promise<void> {
  await batchWrite(
    cells.map((cell) => ({
      PutRequest: { Item: { ...keys.cellIndex(tenantId, cell, geofenceId), geofenceId, bbox } },
    })),
  );
}

/** Remove index rows of a fence for the given cells. */
export async function deleteIndexRows(tenantId: string, geofenceId: string, cells: string[]): Promise<void> {
  await batchWrite(cells.map((cell) => ({ DeleteRequest: { Key: keys.cellIndex(tenantId, cell, geofenceId) } })));
}

/** Index rows of the given cells: one Query per cell, all in parallel (one round trip). */
export async function queryCells(tenantId: string, cells: string[]): Promise<IndexRow[]> {
  const pages = await Promise.all(
    cells.map(async (cell) => {
      const rows: IndexRow[] = [];
      let start: Record<string, unknown> | undefined;
      do {
        const res = await db().send(
          new QueryCommand({
            TableName: table(),
            KeyConditionExpression: 'pk = :pk',
            ExpressionAttributeValues: { ':pk': keys.cellPartition(tenantId, cell).pk },
            ExclusiveStartKey: start,
          }),
        );
        for (const i of res.Items ?? []) rows.push({ geofenceId: String(i.geofenceId), bbox: i.bbox as BBox });
        start = res.LastEvaluatedKey;
      } while (start);
      return rows;
    }),
  );
  return pages.flat();
}

/** Geofence items by id (strongly consistent BatchGet). */
export async function getGeofencesByIds<T>(tenantId: string, ids: string[]): Promise<T[]> {
  if (!ids.length) return [];
  const items = await batchGet(ids.map((id) => keys.entity(tenantId, 'GEOFENCE', id)));
  return items.map((i) => strip(i) as T);
}

/** GSI attributes that list a fence under its owner (store or partner). */
export function ownerIndexAttributes(tenantId: string, ownerId: string | null, geofenceId: string): Record<string, string> {
  return ownerId ? keys.geofenceByOwner(tenantId, ownerId, geofenceId) : {};
}

/** One page of the geofences of a store or partner (GSI1, eventually consistent). */
export async function listGeofencesOfOwner<T>(
  tenantId: string,
  ownerId: string,
  limit: number,
  cursor: string | undefined,
  tag?: string,
) {
  const { gsi1pk } = keys.geofenceByOwnerList(tenantId, ownerId);
  const res = await db().send(
    new QueryCommand({
      TableName: table(),
      IndexName: 'gsi1',
      KeyConditionExpression: 'gsi1pk = :g',
      ...(tag ? { FilterExpression: 'contains(tags, :tag)' } : {}),
      ExpressionAttributeValues: { ':g': gsi1pk, ...(tag ? { ':tag': tag } : {}) },
      Limit: limit,
      ExclusiveStartKey: decodeCursor(cursor, { gsi1pk, pk: keys.entityList(tenantId, 'GEOFENCE').pk }, { sk: 'GEOFENCE#', gsi1sk: 'GF#' }),
    }),
  );
  return { items: (res.Items ?? []).map((i) => strip(i) as T), nextCursor: encodeCursor(res.LastEvaluatedKey) };
}

/** Does any geofence still belong to this store or partner? */
export async function ownerHasGeofences(tenantId: string, ownerId: string): Promise<boolean> {
  const res = await db().send(
    new QueryCommand({
      TableName: table(),
      IndexName: 'gsi1',
      KeyConditionExpression: 'gsi1pk = :g',
      ExpressionAttributeValues: { ':g': keys.geofenceByOwnerList(tenantId, ownerId).gsi1pk },
      Limit: 1,
    }),
  );
  return (res.Items ?? []).length > 0;
}
