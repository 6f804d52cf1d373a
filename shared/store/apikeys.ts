import { GetCommand, QueryCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { KeyKind, RateLimit, Scope } from '../auth/principal.js';
import { keys } from './keys.js';
import { db, decodeCursor, encodeCursor, isConditionFailed, isTransactionCancelled, nowIso, table } from './db.js';

/** A stored API key: everything but its value (only the SHA-256 hash is kept). */
export interface ApiKeyRecord {
  id: string;
  tenantId: string;
  name: string;
  kind: KeyKind;
  scopes: Scope[];
  storeIds: string[];
  prefix: string;
  hash: string;
  createdAt: string;
  expiresAt: string | null;
  revokedAt: string | null;
  rateLimit: RateLimit;
}

/** The items of one key: the hash-addressed auth item and (tenant keys) the tenant's listing item. */
export function apiKeyPuts(rec: ApiKeyRecord) {
  const items: Record<string, unknown>[] = [{ ...keys.apiKeyByHash(rec.hash), ...rec }];
  if (rec.kind !== 'operator') items.push({ ...keys.entity(rec.tenantId, 'APIKEY', rec.id), ...rec });
  return items.map((Item) => ({ Put: { TableName: table(), Item, ConditionExpression: 'attribute_not_exists(pk)' } }));
}

/** Create a key, atomically. */
export async function putApiKey(rec: ApiKeyRecord): Promise<void> {
  await db().send(new TransactWriteCommand({ TransactItems: apiKeyPuts(rec) }));
}

/** The authorizer's single read: the key whose value hashes to `hash`. */
export async function getApiKeyByHash(hash: string): Promise<ApiKeyRecord | undefined> {
  const res = await db().send(new GetCommand({ TableName: table(), Key: keys.apiKeyByHash(hash), ConsistentRead: true }));
  return res.Item ? toRecord(res.Item) : undefined;
}

/** One page of a tenant's keys. */
export async function listApiKeys(tenantId: string, limit: number, cursor?: string) {
  const { pk, skPrefix } = keys.entityList(tenantId, 'APIKEY');
  const res = await db().send(
    new QueryCommand({
      TableName: table(),
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :p)',
      ExpressionAttributeValues: { ':pk': pk, ':p': skPrefix },
      Limit: limit,
      ExclusiveStartKey: decodeCursor(cursor, { pk }, { sk: skPrefix }),
    }),
  );
  return { items: (res.Items ?? []).map(toRecord), nextCursor: encodeCursor(res.LastEvaluatedKey) };
}

/** One key of a tenant, by id (its listing item). */
export async function getTenantApiKey(tenantId: string, keyId: string): Promise<ApiKeyRecord | undefined> {
  const res = await db().send(new GetCommand({ TableName: table(), Key: keys.entity(tenantId, 'APIKEY', keyId), ConsistentRead: true }));
  return res.Item ? toRecord(res.Item) : undefined;
}

/** Revoke a tenant's key (both items). Returns false when the tenant has no such key. */
export async function revokeApiKey(tenantId: string, keyId: string): Promise<boolean> {
  const listing = await db().send(
    new GetCommand({ TableName: table(), Key: keys.entity(tenantId, 'APIKEY', keyId), ConsistentRead: true }),
  );
  if (!listing.Item) return false;
  if (listing.Item.revokedAt) return true;
  const at = nowIso();
  const update = (Key: object) => ({
    Update: {
      TableName: table(),
      Key,
      UpdateExpression: 'SET revokedAt = :at',
      ConditionExpression: 'attribute_exists(pk)',
      ExpressionAttributeValues: { ':at': at },
    },
  });
  try {
    await db().send(
      new TransactWriteCommand({
        TransactItems: [update(keys.entity(tenantId, 'APIKEY', keyId)), update(keys.apiKeyByHash(listing.Item.hash))],
      }),
    );
  } catch (err) {
    if (isTransactionCancelled(err) || isConditionFailed(err)) return false;
    throw err;
  }
  return true;
}

function toRecord(item: Record<string, unknown>): ApiKeyRecord {
  return {
    id: String(item.id),
    tenantId: String(item.tenantId ?? ''),
    name: String(item.name ?? ''),
    kind: item.kind as KeyKind,
    scopes: (item.scopes as Scope[]) ?? [],
    storeIds: (item.storeIds as string[]) ?? [],
    prefix: String(item.prefix ?? ''),
    hash: String(item.hash),
    createdAt: String(item.createdAt),
    expiresAt: (item.expiresAt as string | null) ?? null,
    revokedAt: (item.revokedAt as string | null) ?? null,
    rateLimit: item.rateLimit as RateLimit,
  };
}
