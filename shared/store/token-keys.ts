import { QueryCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { db, isConditionFailed, isTransactionCancelled, table } from './db.js';
import { tenantPartition } from './keys.js';
import type { Key } from './table-def.js';

/**
 * A tenant's shopper-token signing keys (HS256 secrets), each sealed at rest
 * (shared/platform/sealed.ts, purpose `shopper-token-key`), in a partition of
 * their own so that verification reads all of a tenant's keys in one query:
 *   key       pk T#<tenant>#TOKENKEYS   sk KID#<kid>   {kid, tenantId, sealed, createdAt}
 *   counter   pk T#<tenant>#TOKENKEYS   sk COUNT       {n}: the tenant's key count, kept exact by
 *             the same transaction that adds or deletes a key, so that the per-tenant cap holds
 *             under concurrent creations.
 * No TTL: a key lives until it is deleted.
 */
export interface TokenKeyRecord {
  kid: string;
  tenantId: string;
  /** The secret, sealed (never the plain value). */
  sealed: string;
  createdAt: string;
}

const partition = (tenantId: string) => `${tenantPartition(tenantId)}#TOKENKEYS`;
const KID_PREFIX = 'KID#';
/** Key of one signing key's item (exported for tests that read it raw). */
export const tokenKeyKey = (tenantId: string, kid: string): Key => ({ pk: partition(tenantId), sk: `${KID_PREFIX}${kid}` });
const counterKey = (tenantId: string): Key => ({ pk: partition(tenantId), sk: 'COUNT' });

/** Called with (tenant, kid) after this process created or deleted a signing key (e.g. to drop a cached copy). */
type TokenKeyWritten = (tenantId: string, kid: string) => void;
const listeners: TokenKeyWritten[] = [];

export function onTokenKeyWritten(listener: TokenKeyWritten): void {
  listeners.push(listener);
}

const written = (tenantId: string, kid: string) => {
  for (const listener of listeners) listener(tenantId, kid);
};

/** Transactions on one tenant's counter that collide are tried again this many times in all. */
const CONFLICT_ATTEMPTS = 8;

/**
 * Send a transaction on the counter: true once written, false when one of its
 * conditions failed. Concurrent transactions on the same counter cancel one
 * another (TransactionConflict): those are tried again after a short random
 * pause, up to CONFLICT_ATTEMPTS in all.
 */
async function transactOnCounter(command: TransactWriteCommand): Promise<boolean> {
  for (let attempt = 1; ; attempt++) {
    try {
      await db().send(command);
      return true;
    } catch (err) {
      if (isConditionFailed(err)) return false;
      if (!isTransactionCancelled(err)) throw err;
      const reasons = (err as { CancellationReasons?: { Code?: string }[] }).CancellationReasons ?? [];
      if (reasons.some((r) => r?.Code === 'ConditionalCheckFailed')) return false;
      if (attempt >= CONFLICT_ATTEMPTS) throw err;
      await new Promise((r) => setTimeout(r, 5 + Math.random() * 20 * attempt));
    }
  }
}

/**
 * Add a key if the tenant has fewer than `fewerThan` keys, atomically with the
 * count. Returns false (nothing written) when it has that many already.
 */
export async function putTokenKey(rec: TokenKeyRecord, fewerThan: number): Promise<boolean> {
  const done = await transactOnCounter(
    new TransactWriteCommand({
      TransactItems: [
        {
          Update: {
            TableName: table(),
            Key: counterKey(rec.tenantId),
            UpdateExpression: 'SET #n = if_not_exists(#n, :zero) + :one',
            ConditionExpression: 'attribute_not_exists(#n) OR #n < :max',
            ExpressionAttributeNames: { '#n': 'n' },
            ExpressionAttributeValues: { ':zero': 0, ':one': 1, ':max': fewerThan },
          },
        },
        {
          Put: {
            TableName: table(),
            Item: { ...tokenKeyKey(rec.tenantId, rec.kid), ...rec },
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        },
      ],
    }),
  );
  if (done) written(rec.tenantId, rec.kid);
  return done;
}

/** Every signing key of a tenant (strongly consistent: a key used right after its creation is found), newest first. */
export async function listTokenKeys(tenantId: string): Promise<TokenKeyRecord[]> {
  const items: Record<string, unknown>[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const res = await db().send(
      new QueryCommand({
        TableName: table(),
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :p)',
        ExpressionAttributeValues: { ':pk': partition(tenantId), ':p': KID_PREFIX },
        ConsistentRead: true,
        ExclusiveStartKey: start,
      }),
    );
    items.push(...(res.Items ?? []));
    start = res.LastEvaluatedKey;
  } while (start);
  return items
    .map(toRecord)
    .sort((a, b) => (a.createdAt === b.createdAt ? (a.kid < b.kid ? 1 : -1) : a.createdAt < b.createdAt ? 1 : -1));
}

/** Delete a tenant's key, atomically with the count. Returns false when the tenant has no such key. */
export async function deleteTokenKey(tenantId: string, kid: string): Promise<boolean> {
  const done = await transactOnCounter(
    new TransactWriteCommand({
      TransactItems: [
        {
          Delete: { TableName: table(), Key: tokenKeyKey(tenantId, kid), ConditionExpression: 'attribute_exists(pk)' },
        },
        {
          Update: {
            TableName: table(),
            Key: counterKey(tenantId),
            UpdateExpression: 'SET #n = #n - :one',
            ConditionExpression: '#n > :zero',
            ExpressionAttributeNames: { '#n': 'n' },
            ExpressionAttributeValues: { ':zero': 0, ':one': 1 },
          },
        },
      ],
    }),
  );
  // Forgotten either way: a kid another container deleted is refused here at once too.
  written(tenantId, kid);
  return done;
}

function toRecord(item: Record<string, unknown>): TokenKeyRecord {
  return {
    kid: String(item.kid),
    tenantId: String(item.tenantId),
    sealed: String(item.sealed),
    createdAt: String(item.createdAt),
  };
}
