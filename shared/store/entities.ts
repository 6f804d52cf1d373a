import { DeleteCommand, GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { batchGet } from './batch.js';
import { db, decodeCursor, encodeCursor, isConditionFailed, strip, table } from './db.js';
import { tenantPartition } from './keys.js';
import type { Key } from './table-def.js';

/**
 * Store-private plumbing of the tenant configuration entities (stores,
 * partners, geofences, campaigns, API key listings, the webhook): one item
 * each in the tenant's partition,
 *   pk T#<tenant>   sk <KIND>#<id>
 * with optimistic concurrency through a `version` attribute. Callers use the
 * entity modules' named functions (stores.ts, partners.ts, ...).
 */
export const TENANT_ENTITY_KINDS = ['STORE', 'PARTNER', 'GEOFENCE', 'CAMPAIGN', 'APIKEY', 'WEBHOOK'] as const;
export type TenantEntity = (typeof TENANT_ENTITY_KINDS)[number];

export interface Versioned {
  id: string;
  version: number;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** Key of one configuration entity of a tenant. */
export const entityKey = (tenantId: string, kind: TenantEntity, id: string): Key => ({
  pk: tenantPartition(tenantId),
  sk: `${kind}#${id}`,
});
/** Partition and sort-key prefix that list one kind of entity of a tenant. */
export const entityListKey = (tenantId: string, kind: TenantEntity) => ({ pk: tenantPartition(tenantId), skPrefix: `${kind}#` });

/** Read one entity of a tenant (strongly consistent). */
export async function getEntity<T>(tenantId: string, kind: TenantEntity, id: string): Promise<T | undefined> {
  const res = await db().send(new GetCommand({ TableName: table(), Key: entityKey(tenantId, kind, id), ConsistentRead: true }));
  return res.Item ? (strip(res.Item) as T) : undefined;
}

/** Create an entity; fails if the id exists. `extra` adds index attributes (e.g. GSI keys). */
/** The stored item of an entity (for batch writes of new entities). */
export const entityItem = <T extends { id: string }>(
  tenantId: string,
  kind: TenantEntity,
  entity: T,
  extra: Record<string, string> = {},
): Record<string, unknown> => ({ ...entity, ...extra, ...entityKey(tenantId, kind, entity.id) });

export async function createEntity<T extends Versioned>(
  tenantId: string,
  kind: TenantEntity,
  entity: T,
  extra: Record<string, string> = {},
): Promise<void> {
  await db().send(
    new PutCommand({
      TableName: table(),
      Item: entityItem(tenantId, kind, entity, extra),
      ConditionExpression: 'attribute_not_exists(pk)',
    }),
  );
}

/** Write an entity whatever was there (single-instance settings such as the webhook). */
export async function putEntity<T extends { id: string }>(tenantId: string, kind: TenantEntity, entity: T): Promise<void> {
  await db().send(new PutCommand({ TableName: table(), Item: { ...entity, ...entityKey(tenantId, kind, entity.id) } }));
}

/**
 * Replace an entity if it still has `expectedVersion` (the new one carries
 * version + 1). Returns false when it was deleted or changed meanwhile.
 */
export async function replaceEntity<T extends Versioned>(
  tenantId: string,
  kind: TenantEntity,
  entity: T,
  expectedVersion: number,
  extra: Record<string, string> = {},
): Promise<boolean> {
  try {
    await db().send(
      new PutCommand({
        TableName: table(),
        Item: { ...entity, ...extra, ...entityKey(tenantId, kind, entity.id) },
        ConditionExpression: 'attribute_exists(pk) AND version = :v',
        ExpressionAttributeValues: { ':v': expectedVersion },
      }),
    );
    return true;
  } catch (err) {
    if (isConditionFailed(err)) return false;
    throw err;
  }
}

/** Delete an entity; returns the deleted item, or undefined when there was none. */
export async function deleteEntity<T>(tenantId: string, kind: TenantEntity, id: string): Promise<T | undefined> {
  try {
    const res = await db().send(
      new DeleteCommand({
        TableName: table(),
        Key: entityKey(tenantId, kind, id),
        ConditionExpression: 'attribute_exists(pk)',
        ReturnValues: 'ALL_OLD',
      }),
    );
    return res.Attributes ? (strip(res.Attributes) as T) : undefined;
  } catch (err) {
    if (isConditionFailed(err)) return undefined;
    throw err;
  }
}

export interface ListFilter {
  /** attribute IN values */
  in?: { attribute: string; values: string[] };
  /** list attribute contains value */
  contains?: { attribute: string; value: string };
  /** attribute = value */
  eq?: { attribute: string; value: string };
}

function filterExpression(f: ListFilter | undefined) {
  if (!f) return {};
  const parts: string[] = [];
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = {};
  if (f.in) {
    names['#in'] = f.in.attribute;
    const ph = f.in.values.map((v, i) => {
      values[`:in${i}`] = v;
      return `:in${i}`;
    });
    parts.push(ph.length ? `#in IN (${ph.join(', ')})` : 'attribute_not_exists(pk)');
  }
  if (f.contains) {
    names['#ct'] = f.contains.attribute;
    values[':ct'] = f.contains.value;
    parts.push('contains(#ct, :ct)');
  }
  if (f.eq) {
    names['#eq'] = f.eq.attribute;
    values[':eq'] = f.eq.value;
    parts.push('#eq = :eq');
  }
  if (!parts.length) return {};
  return { FilterExpression: parts.join(' AND '), ExpressionAttributeNames: names, ExpressionAttributeValues: values };
}

/** One page of a tenant's entities of one kind, optionally filtered (pages may then hold fewer items). */
export async function listEntities<T>(
  tenantId: string,
  kind: TenantEntity,
  limit: number,
  cursor: string | undefined,
  filter?: ListFilter,
): Promise<Page<T>> {
  const { pk, skPrefix } = entityListKey(tenantId, kind);
  const f = filterExpression(filter);
  const res = await db().send(
    new QueryCommand({
      TableName: table(),
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :p)',
      ...f,
      ExpressionAttributeValues: { ':pk': pk, ':p': skPrefix, ...(f.ExpressionAttributeValues ?? {}) },
      Limit: limit,
      ExclusiveStartKey: decodeCursor(cursor, { pk }, { sk: skPrefix }),
    }),
  );
  return { items: (res.Items ?? []).map((i) => strip(i) as T), nextCursor: encodeCursor(res.LastEvaluatedKey) };
}

/** Several entities of one kind by id (strongly consistent BatchGet); missing ones are left out. */
export async function getEntitiesByIds<T>(tenantId: string, kind: TenantEntity, ids: string[]): Promise<T[]> {
  if (!ids.length) return [];
  return (await batchGet(ids.map((id) => entityKey(tenantId, kind, id)))).map((i) => strip(i) as T);
}
