import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { BBox } from '../domain/geo/bbox.js';
import type { FenceGeometry } from '../domain/geo/index.js';
import { batchWrite } from './batch.js';
import { db, decodeCursor, encodeCursor, strip, table } from './db.js';
import {
  createEntity,
  deleteEntity,
  entityItem,
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
 * A geofence, listed under its owner, and the H3 cell index that finds it.
 *   fence       pk T#<tenant>                  sk GEOFENCE#<geofenceId>
 *     GSI1      gsi1pk T#<tenant>#GFOWNER#<ownerId>   gsi1sk GF#<geofenceId>   (store or partner; none without owner)
 *   cell row    pk T#<tenant>#CELL#<h3>         sk GF#<geofenceId>   (one per cell of the fence's index)
 * No TTL (configuration). The fence item is the source of truth: a stale or
 * orphan cell row can only cost a read, never return a deleted fence.
 */
export interface Geofence {
  id: string;
  name: string;
  storeId: string | null;
  partnerId: string | null;
  geometry: FenceGeometry;
  tags: string[];
  metadata: Record<string, string | number | boolean>;
  enabled: boolean;
  index: { resolution: number; cells: string[] };
  bbox: BBox;
  createdAt: string;
  updatedAt: string;
  version: number;
}

/**
 * A cell index row: everything the offer path needs of a fence whose index
 * holds this cell, so a lookup is one round of Queries and never reads the
 * fence item. `shape` decides every point of the cell exactly (see
 * `rowShape` in domain/geo/clip.ts): 'inside' (the cell and 1 km around it lie
 * inside the fence) or 'geometry' (the fence, clipped near the cell). Cells
 * whose shape is 'none' get no row. The bbox drops far rows before any test.
 */
export interface IndexRow {
  geofenceId: string;
  bbox: BBox;
  storeId: string | null;
  partnerId: string | null;
  enabled: boolean;
  /** The fence's anchor (offer texts' {{distanceM}}), computed on the whole fence. */
  anchor: { lat: number; lng: number };
  shape: 'inside' | 'geometry';
  geometry?: FenceGeometry;
}

/** What a fence's rows carry besides their shape. */
export type IndexedFence = Pick<Geofence, 'id' | 'storeId' | 'partnerId' | 'enabled' | 'bbox'> & {
  anchor: { lat: number; lng: number };
};

/** One row per cell of the fence's index, with the cell's shape ('none' cells are left out by the caller). */
export interface CellShape {
  cell: string;
  shape: { kind: 'inside' } | { kind: 'geometry'; geometry: FenceGeometry };
}

const KIND = 'GEOFENCE';
const ownerPartition = (tenantId: string, ownerId: string) => `${tenantPartition(tenantId)}#GFOWNER#${ownerId}`;
const ownerSortKey = (geofenceId: string) => `GF#${geofenceId}`;
const cellPartition = (tenantId: string, cell: string) => `${tenantPartition(tenantId)}#CELL#${cell}`;
const cellRowKey = (tenantId: string, cell: string, geofenceId: string): Key => ({
  pk: cellPartition(tenantId, cell),
  sk: `GF#${geofenceId}`,
});

/** GSI attributes that list a fence under its owner (store or partner); none when it has no owner. */
function ownerIndex(tenantId: string, fence: Geofence): Record<string, string> {
  const ownerId = fence.storeId ?? fence.partnerId;
  return ownerId ? { gsi1pk: ownerPartition(tenantId, ownerId), gsi1sk: ownerSortKey(fence.id) } : {};
}

/** One geofence of a tenant, or undefined. */
export const getGeofence = (tenantId: string, id: string) => getEntity<Geofence>(tenantId, KIND, id);

/** Geofences by id (strongly consistent BatchGet); missing ones are left out. */
export const getGeofencesByIds = (tenantId: string, ids: string[]) => getEntitiesByIds<Geofence>(tenantId, KIND, ids);

/** Create a geofence (its id must be new), listed under its owner. */
export const insertGeofence = (tenantId: string, fence: Geofence) =>
  createEntity(tenantId, KIND, fence, ownerIndex(tenantId, fence));

/** Replace a geofence still at `expectedVersion` (and its owner listing); false when it changed or went meanwhile. */
export const replaceGeofence = (tenantId: string, fence: Geofence, expectedVersion: number) =>
  replaceEntity(tenantId, KIND, fence, expectedVersion, ownerIndex(tenantId, fence));

/** Delete a geofence; the deleted fence, or undefined when there was none. */
export const removeGeofence = (tenantId: string, id: string) => deleteEntity<Geofence>(tenantId, KIND, id);

/** One page of a tenant's geofences, optionally only those of some stores and/or with a tag. */
export function listGeofencesPage(
  tenantId: string,
  limit: number,
  cursor: string | undefined,
  only: { storeIds?: string[]; tag?: string } = {},
): Promise<Page<Geofence>> {
  return listEntities<Geofence>(tenantId, KIND, limit, cursor, {
    ...(only.storeIds ? { in: { attribute: 'storeId', values: only.storeIds } } : {}),
    ...(only.tag ? { contains: { attribute: 'tags', value: only.tag } } : {}),
  });
}

/** One page of the geofences of a store or partner (GSI1, eventually consistent), optionally with a tag. */
export async function listGeofencesOfOwner(
  tenantId: string,
  ownerId: string,
  limit: number,
  cursor: string | undefined,
  tag?: string,
) {
  const gsi1pk = ownerPartition(tenantId, ownerId);
  const res = await db().send(
    new QueryCommand({
      TableName: table(),
      IndexName: 'gsi1',
      KeyConditionExpression: 'gsi1pk = :g',
      ...(tag ? { FilterExpression: 'contains(tags, :tag)' } : {}),
      ExpressionAttributeValues: { ':g': gsi1pk, ...(tag ? { ':tag': tag } : {}) },
      Limit: limit,
      ExclusiveStartKey: decodeCursor(
        cursor,
        { gsi1pk, pk: entityListKey(tenantId, KIND).pk },
        { sk: entityListKey(tenantId, KIND).skPrefix, gsi1sk: ownerSortKey('') },
      ),
    }),
  );
  return { items: (res.Items ?? []).map((i) => strip(i) as Geofence), nextCursor: encodeCursor(res.LastEvaluatedKey) };
}

/** Does any geofence still belong to this store or partner? */
export async function ownerHasGeofences(tenantId: string, ownerId: string): Promise<boolean> {
  const res = await db().send(
    new QueryCommand({
      TableName: table(),
      IndexName: 'gsi1',
      KeyConditionExpression: 'gsi1pk = :g',
      ExpressionAttributeValues: { ':g': ownerPartition(tenantId, ownerId) },
      Limit: 1,
    }),
  );
  return (res.Items ?? []).length > 0;
}

function indexRowItem(tenantId: string, fence: IndexedFence, c: CellShape): Record<string, unknown> {
  return {
    ...cellRowKey(tenantId, c.cell, fence.id),
    geofenceId: fence.id,
    bbox: fence.bbox,
    storeId: fence.storeId,
    partnerId: fence.partnerId,
    enabled: fence.enabled,
    anchor: fence.anchor,
    shape: c.shape.kind,
    // One string, not nested lists of numbers: a clipped ring of hundreds of vertices is read and parsed in one go.
    ...(c.shape.kind === 'geometry' ? { geometry: JSON.stringify(c.shape.geometry) } : {}),
  };
}

/** Write cell index rows of a fence. */
export async function putIndexRows(tenantId: string, fence: IndexedFence, cells: CellShape[]): Promise<void> {
  await batchWrite(cells.map((c) => ({ PutRequest: { Item: indexRowItem(tenantId, fence, c) } })));
}

/**
 * Seed many geofences at once (imports, benchmarks): every index row, then
 * every fence item, in BatchWriteItem calls of 25 (in parallel), so a
 * fence is never written before its rows. The fences must be new.
 */
export async function putGeofencesBatch(
  tenantId: string,
  fences: { fence: Geofence; anchor: { lat: number; lng: number }; cells: CellShape[] }[],
): Promise<void> {
  await batchWrite(
    fences.flatMap(({ fence, anchor, cells }) =>
      cells.map((c) => ({ PutRequest: { Item: indexRowItem(tenantId, { ...fence, anchor }, c) } })),
    ),
  );
  await batchWrite(
    fences.map(({ fence }) => ({ PutRequest: { Item: entityItem(tenantId, KIND, fence, ownerIndex(tenantId, fence)) } })),
  );
}

/** Remove cell index rows of a fence for the given cells. */
export async function deleteIndexRows(tenantId: string, geofenceId: string, cells: string[]): Promise<void> {
  await batchWrite(cells.map((cell) => ({ DeleteRequest: { Key: cellRowKey(tenantId, cell, geofenceId) } })));
}

function indexRowOf(i: Record<string, unknown>): IndexRow {
  return {
    geofenceId: String(i.geofenceId),
    bbox: i.bbox as BBox,
    storeId: (i.storeId as string | null) ?? null,
    partnerId: (i.partnerId as string | null) ?? null,
    enabled: i.enabled !== false,
    anchor: i.anchor as IndexRow['anchor'],
    shape: i.shape === 'inside' ? 'inside' : 'geometry',
    ...(i.geometry ? { geometry: (typeof i.geometry === 'string' ? JSON.parse(i.geometry) : i.geometry) as FenceGeometry } : {}),
  };
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
            ExpressionAttributeValues: { ':pk': cellPartition(tenantId, cell) },
            ExclusiveStartKey: start,
          }),
        );
        for (const i of res.Items ?? []) rows.push(indexRowOf(i));
        start = res.LastEvaluatedKey;
      } while (start);
      return rows;
    }),
  );
  return pages.flat();
}
