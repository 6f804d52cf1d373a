import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { type Retention, withDefaults } from '../domain/values/retention.js';
import { db, queryPartition, table } from './db.js';
import { tenantPartition } from './keys.js';
import type { Key } from './table-def.js';
import { type TransactItem, transactWrite } from './transactions.js';

/**
 * A tenant's settings (GET|PATCH /v1/settings), and the register of tenants
 * whose retention the background sweep enforces.
 *   settings   pk T#<tenant>    sk SETTINGS      no TTL
 *   register   pk RETENTION     sk T#<tenant>    no TTL (the tenant's retention, copied in the same transaction)
 * A tenant that never changed its settings has no item: every knob at its default.
 */
export interface TenantSettings {
  retention: Retention;
  updatedAt: string | null;
  /** Bumped by every write; a write conditioned on the version read cannot undo a concurrent one. */
  version: number;
}

const SK = 'SETTINGS';
const REGISTER_PK = 'RETENTION';
const settingsKey = (tenantId: string): Key => ({ pk: tenantPartition(tenantId), sk: SK });
const registerKey = (tenantId: string): Key => ({ pk: REGISTER_PK, sk: tenantPartition(tenantId) });

const settingsOf = (item: Record<string, unknown> | undefined): TenantSettings => ({
  retention: withDefaults(item?.retention as Partial<Retention> | undefined),
  updatedAt: typeof item?.updatedAt === 'string' ? item.updatedAt : null,
  version: typeof item?.version === 'number' ? item.version : 0,
});

/** The tenant's settings (defaults when it never set any). Strongly consistent: a PATCH is seen by the next read. */
export async function getTenantSettings(tenantId: string): Promise<TenantSettings> {
  const res = await db().send(new GetCommand({ TableName: table(), Key: settingsKey(tenantId), ConsistentRead: true }));
  return settingsOf(res.Item);
}

/**
 * The tenant's retention, read now, for a read that must see a PATCH at once. Started beside another read and
 * awaited after it: a failure surfaces where it is awaited, never as an unhandled rejection.
 */
export function readTenantRetention(tenantId: string): Promise<Retention> {
  const read = getTenantSettings(tenantId).then((s) => s.retention);
  read.catch(() => undefined);
  return read;
}

export type SettingsWrite = { ok: true } | { ok: false; conflict: true };

/**
 * Write the tenant's settings and its register entry, with `also` (the audit entry), in one transaction,
 * conditioned on the version read: a concurrent write makes it a conflict (read again and retry).
 */
export async function putTenantSettings(
  tenantId: string,
  next: { retention: Retention; updatedAt: string },
  readVersion: number,
  also: TransactItem[],
): Promise<SettingsWrite> {
  const version = readVersion + 1;
  const outcome = await transactWrite([
    {
      tag: 'settings',
      item: {
        Put: {
          Item: { ...settingsKey(tenantId), retention: next.retention, updatedAt: next.updatedAt, version },
          ...(readVersion === 0
            ? { ConditionExpression: 'attribute_not_exists(pk)' }
            : { ConditionExpression: 'version = :v', ExpressionAttributeValues: { ':v': readVersion } }),
        },
      },
    },
    { tag: 'register', item: { Put: { Item: { ...registerKey(tenantId), tenantId, retention: next.retention, version } } } },
    ...also.map((item, n) => ({ tag: `also:${n}`, item })),
  ]);
  if (outcome.ok) return { ok: true };
  if (outcome.conflict || outcome.refused.includes('settings')) return { ok: false, conflict: true };
  throw new Error(`settings write refused: ${outcome.refused.join(', ')}`);
}

/** Every tenant that ever set its settings, with its retention (the sweep's work list; one partition, paged). */
export async function listRetentionRegister(): Promise<{ tenantId: string; retention: Retention }[]> {
  const items = await queryPartition(REGISTER_PK);
  return items.map((item) => ({
    tenantId: String(item.tenantId),
    retention: withDefaults(item.retention as Partial<Retention>),
  }));
}
