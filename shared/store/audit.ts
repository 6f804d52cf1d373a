import { randomBytes } from 'node:crypto';
import { PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { AUDIT_RETENTION_DAYS, type AuditAction, type AuditResource } from '../domain/values/audit.js';
import { unprocessable } from '../platform/errors.js';
import { db, decodeCursor, encodeCursor, live, table, ttlInDays } from './db.js';
import { tenantPartition } from './keys.js';
import type { TransactItem } from './transactions.js';

/**
 * The access audit log: which key did what to which resource, when, in which
 * request. Never the data itself (no profile field, secret or key value).
 *   pk T#<tenant>#AUDIT   sk <at>#<random>     TTL: 400 days after `at`
 * One partition per tenant, read newest first by its sort key (the ISO time,
 * then 8 random hex characters so that two entries of the same millisecond
 * stay two); a time range is a range of the sort key. Another tenant's key
 * reads another partition: entries are tenant-isolated by their key.
 */
export interface AuditEntry {
  at: string;
  keyId: string;
  action: AuditAction;
  resource: AuditResource;
  resourceId: string;
  requestId: string;
}

const auditPartition = (tenantId: string) => `${tenantPartition(tenantId)}#AUDIT`;
/** Sorts after every `<at>#<hex>` sort key of the same `at` (and after any ISO time as a prefix). */
const AFTER = '~';

function auditItem(tenantId: string, entry: AuditEntry): Record<string, unknown> {
  return {
    pk: auditPartition(tenantId),
    sk: `${entry.at}#${randomBytes(4).toString('hex')}`,
    ...entry,
    ttl: ttlInDays(AUDIT_RETENTION_DAYS, Date.parse(entry.at)),
  };
}

/** An entry as a transaction item, to be written in the same transaction as the action it records. */
export function auditPut(tenantId: string, entry: AuditEntry): TransactItem {
  return { Put: { Item: auditItem(tenantId, entry), ConditionExpression: 'attribute_not_exists(pk)' } };
}

/** Write one entry on its own (after an action that is not one write). */
export async function putAuditEntry(tenantId: string, entry: AuditEntry): Promise<void> {
  await db().send(new PutCommand({ TableName: table(), Item: auditItem(tenantId, entry) }));
}

/**
 * One page of the tenant's entries with `from <= at <= to` (ISO date-times, either open), newest first; entries
 * past their TTL are left out. A cursor is accepted only for this tenant and inside this range.
 */
export async function listAuditEntries(
  tenantId: string,
  range: { from?: string; to?: string },
  limit: number,
  cursor?: string,
): Promise<{ items: AuditEntry[]; nextCursor: string | null }> {
  const pk = auditPartition(tenantId);
  const lo = range.from ? new Date(range.from).toISOString() : '0';
  const hi = range.to ? `${new Date(range.to).toISOString()}#${AFTER}` : AFTER;
  const start = decodeCursor(cursor, { pk }, { sk: '' });
  if (start && !(String(start.sk) > lo && String(start.sk) < hi))
    throw unprocessable([{ path: 'cursor', message: 'This cursor belongs to another time range.' }]);
  const res = await db().send(
    new QueryCommand({
      TableName: table(),
      KeyConditionExpression: 'pk = :pk AND sk BETWEEN :lo AND :hi',
      ExpressionAttributeValues: { ':pk': pk, ':lo': lo, ':hi': hi },
      ScanIndexForward: false,
      Limit: limit,
      ExclusiveStartKey: start,
    }),
  );
  return {
    items: live(res.Items ?? []).map(toEntry),
    nextCursor: encodeCursor(res.LastEvaluatedKey),
  };
}

/** The entry of a stored item: its six fields, nothing else. */
const toEntry = (i: Record<string, unknown>): AuditEntry => ({
  at: String(i.at),
  keyId: String(i.keyId),
  action: i.action as AuditAction,
  resource: i.resource as AuditResource,
  resourceId: String(i.resourceId),
  requestId: String(i.requestId),
});
