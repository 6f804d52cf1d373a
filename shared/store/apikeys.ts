import { GetCommand, QueryCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { db, scanSegments, decodeCursor, encodeCursor, isConditionFailed, isTransactionCancelled, nowIso, table } from './db.js';
import { entityKey, entityListKey } from './entities.js';
import type { RateLimit } from './ratelimit.js';
import type { Key } from './table-def.js';
import type { TransactItem } from './transactions.js';

/**
 * An API key: everything but its value (only the SHA-256 hash is kept).
 *   by hash    pk KEY#<sha256>   sk KEY             (authorization's one read)
 *   listing    pk T#<tenant>     sk APIKEY#<keyId>  (tenant keys only; the operator key has none)
 * No TTL: `expiresAt` and `revokedAt` are checked on every request.
 */
export const SCOPES = [
  'offers:write',
  'offers:redeem',
  'shoppers:read',
  'shoppers:write',
  'stores:read',
  'stores:write',
  'geofences:read',
  'geofences:write',
  'campaigns:read',
  'campaigns:write',
  'partners:read',
  'partners:write',
  'stats:read',
  'webhooks:write',
  'keys:write',
  'conversions:write',
  'tokens:write',
  'settings:write',
] as const;
export type Scope = (typeof SCOPES)[number];

/** The scopes of v1, before conversions:write, tokens:write and settings:write (v1.1). */
export const V1_SCOPES: readonly Scope[] = SCOPES.filter(
  (s) => s !== 'conversions:write' && s !== 'tokens:write' && s !== 'settings:write',
);

/**
 * The scopes a key made under v1 holds under v1.1, so that nothing that worked stops working and nothing gains:
 * a secret key for the whole tenant with every v1 scope (a tenant's admin key, or one made like it) had every scope,
 * and gets the new ones; any other secret key with `offers:redeem` (which recorded conversions in v1) gets
 * `conversions:write`.
 * Publishable keys get nothing: v1.1 takes conversions away from them on purpose.
 */
export function scopesAfterV11(rec: Pick<ApiKeyRecord, 'kind' | 'scopes' | 'storeIds'>): Scope[] {
  if (rec.kind !== 'secret') return [...rec.scopes];
  const has = new Set(rec.scopes);
  const add: Scope[] =
    !rec.storeIds.length && V1_SCOPES.every((s) => has.has(s))
      ? ['conversions:write', 'tokens:write', 'settings:write']
      : has.has('offers:redeem')
        ? ['conversions:write']
        : [];
  return [...rec.scopes, ...add.filter((s) => !has.has(s))];
}

export type KeyKind = 'operator' | 'secret' | 'publishable';

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
  /** Publishable keys: the `attributes.<name>` an app may send inline with an offer request (absent = none). */
  deviceAttributes?: string[];
}

const KIND = 'APIKEY';
/** Key of the hash-addressed item (exported for tests that read it raw). */
export const apiKeyHashKey = (sha256: string): Key => ({ pk: `KEY#${sha256}`, sk: 'KEY' });
const listingKey = (tenantId: string, keyId: string) => entityKey(tenantId, KIND, keyId);

/** The items of one key (the hash-addressed auth item and, tenant keys, the listing item), as transaction puts. */
export function apiKeyPuts(rec: ApiKeyRecord) {
  const items: Record<string, unknown>[] = [{ ...apiKeyHashKey(rec.hash), ...rec }];
  if (rec.kind !== 'operator') items.push({ ...listingKey(rec.tenantId, rec.id), ...rec });
  return items.map((Item) => ({ Put: { TableName: table(), Item, ConditionExpression: 'attribute_not_exists(pk)' } }));
}

/** Called with a key's hash after this process created or revoked it (e.g. to drop a cached copy). */
type KeyWritten = (hash: string) => void;
const keyWrittenListeners: KeyWritten[] = [];

export function onApiKeyWritten(listener: KeyWritten): void {
  keyWrittenListeners.push(listener);
}

const keyWritten = (hash: string) => {
  for (const listener of keyWrittenListeners) listener(hash);
};

/** A transaction item of another module (e.g. an audit entry) on this table. */
const onTable = (item: TransactItem) =>
  'Put' in item ? { Put: { TableName: table(), ...item.Put } } : { Update: { TableName: table(), ...item.Update } };

/** Create a key, atomically (with `also`, e.g. its audit entry, in the same transaction). */
export async function putApiKey(rec: ApiKeyRecord, also: TransactItem[] = []): Promise<void> {
  await db().send(new TransactWriteCommand({ TransactItems: [...apiKeyPuts(rec), ...also.map(onTable)] }));
  keyWritten(rec.hash);
}

/**
 * Authorization's single read: the key whose value hashes to `hash`. Strongly
 * consistent, so that a key used right after its creation is found (a miss is
 * cached too).
 */
export async function getApiKeyByHash(hash: string): Promise<ApiKeyRecord | undefined> {
  const res = await db().send(new GetCommand({ TableName: table(), Key: apiKeyHashKey(hash), ConsistentRead: true }));
  return res.Item ? toRecord(res.Item) : undefined;
}

/** One page of a tenant's keys. */
export async function listApiKeys(tenantId: string, limit: number, cursor?: string) {
  const { pk, skPrefix } = entityListKey(tenantId, KIND);
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
  const res = await db().send(new GetCommand({ TableName: table(), Key: listingKey(tenantId, keyId), ConsistentRead: true }));
  return res.Item ? toRecord(res.Item) : undefined;
}

/**
 * Revoke a tenant's key (both items, and `also`, e.g. the audit entry, in the same transaction). Returns false when
 * the tenant has no such key. A key already revoked is left as it is (true, nothing written, `also` neither).
 */
export async function revokeApiKey(tenantId: string, keyId: string, also: TransactItem[] = []): Promise<boolean> {
  const listing = await db().send(new GetCommand({ TableName: table(), Key: listingKey(tenantId, keyId), ConsistentRead: true }));
  if (!listing.Item) return false;
  if (listing.Item.revokedAt) {
    keyWritten(String(listing.Item.hash));
    return true;
  }
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
        TransactItems: [update(listingKey(tenantId, keyId)), update(apiKeyHashKey(listing.Item.hash)), ...also.map(onTable)],
      }),
    );
  } catch (err) {
    if (isTransactionCancelled(err) || isConditionFailed(err)) return false;
    throw err;
  }
  keyWritten(String(listing.Item.hash));
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
    deviceAttributes: Array.isArray(item.deviceAttributes) ? (item.deviceAttributes as string[]).map(String) : [],
  };
}

/**
 * `npm run migrate-scopes`: give keys made under v1 their v1.1 scopes (scopesAfterV11), on both items of each key,
 * in one transaction per key, conditioned on the scopes it read (a key changed or revoked meanwhile is left for the
 * next run). A one-off with operator credentials: it scans the table, which no function may do. Idempotent.
 * Returns the keys changed.
 */
export async function migrateKeyScopes(opts: { tableName?: string; segments?: number } = {}): Promise<number> {
  const TableName = opts.tableName ?? table();
  const segments = opts.segments ?? 4;
  // The hash-addressed items: one per key, each naming its listing item through tenantId and id.
  const filter = { expression: 'begins_with(pk, :key) AND sk = :sk', values: { ':key': 'KEY#', ':sk': 'KEY' } };
  return scanSegments(TableName, segments, filter, async (items) => {
    let n = 0;
    for (const item of items) {
      const rec = toRecord(item);
      const scopes = scopesAfterV11(rec);
      if (scopes.length === rec.scopes.length) continue;
      const update = (Key: object) => ({
        Update: {
          TableName,
          Key,
          UpdateExpression: 'SET scopes = :new',
          ConditionExpression: 'scopes = :old',
          ExpressionAttributeValues: { ':new': scopes, ':old': item.scopes },
        },
      });
      const keys = [apiKeyHashKey(rec.hash), ...(rec.kind === 'operator' ? [] : [listingKey(rec.tenantId, rec.id)])];
      try {
        await db().send(new TransactWriteCommand({ TransactItems: keys.map(update) }));
        keyWritten(rec.hash);
        n++;
      } catch (err) {
        if (!isTransactionCancelled(err)) throw err;
      }
    }
    return n;
  });
}
