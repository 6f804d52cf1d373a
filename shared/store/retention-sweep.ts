import { DeleteCommand } from '@aws-sdk/lib-dynamodb';
import type { Retention } from '../domain/values/retention.js';
import { errorFields, log } from '../platform/log.js';
import { db, isConditionFailed, scanSegments, table, retained } from './db.js';
import { offerPointerKey } from './offers.js';
import { retainedKindOf } from './shoppers.js';

/**
 * The background half of per-tenant retention: reads hide what a tenant's
 * shortened retention no longer keeps (domain/values/retention.ts); this
 * deletes it. One parallel scan of the table (keys, TTL and createdAt only)
 * finds the items about shoppers of the tenants given; each item past its
 * retention is deleted on the condition that its TTL is still the one seen
 * (an item rewritten meanwhile, e.g. a profile updated, is fresh and stays).
 * An offer's id pointer goes with its offer.
 */

/** Deletes in flight at once per scan segment. */
const DELETES_IN_FLIGHT = 16;
/** Parallel scan segments. */
export const SWEEP_SEGMENTS = 8;

export interface SweepResult {
  /** Items about shoppers of the swept tenants that were read. */
  scanned: number;
  /** Items deleted (an offer and its pointer count as two). */
  deleted: number;
  /** Deletes that failed (throttling, a dependency down): those items wait for the next run. */
  failed: number;
}

/** `T#<tenant>#S#<shopper>` → the tenant id, or undefined for any other partition. */
function shopperPartitionTenant(pk: string): string | undefined {
  const m = /^T#([^#]+)#S#/.exec(pk);
  return m ? m[1] : undefined;
}

async function deleteIfUnchanged(item: Record<string, unknown>, tableName: string): Promise<boolean> {
  try {
    await db().send(
      new DeleteCommand({
        TableName: tableName,
        Key: { pk: item.pk, sk: item.sk },
        ...(typeof item.ttl === 'number'
          ? {
              ConditionExpression: '#ttl = :ttl',
              ExpressionAttributeNames: { '#ttl': 'ttl' },
              ExpressionAttributeValues: { ':ttl': item.ttl },
            }
          : {
              ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(#ttl)',
              ExpressionAttributeNames: { '#ttl': 'ttl' },
            }),
      }),
    );
    return true;
  } catch (err) {
    if (isConditionFailed(err)) return false;
    throw err;
  }
}

/** Delete every item about the shoppers of these tenants that is past the tenant's retention at `nowMs`. */
export async function sweepPastRetention(
  tenants: ReadonlyMap<string, Retention>,
  nowMs: number,
  tableName: string = table(),
): Promise<SweepResult> {
  let scanned = 0;
  let deleted = 0;
  let failed = 0;
  if (!tenants.size) return { scanned, deleted, failed };
  await scanSegments(
    tableName,
    SWEEP_SEGMENTS,
    {
      expression: 'begins_with(pk, :t)',
      values: { ':t': 'T#' },
      projection: 'pk, sk, #ttl, createdAt',
      names: { '#ttl': 'ttl' },
    },
    async (items) => {
      const due = items.filter((item) => {
        const tenantId = shopperPartitionTenant(String(item.pk));
        const retention = tenantId === undefined ? undefined : tenants.get(tenantId);
        if (!retention) return false;
        scanned++;
        const kind = retainedKindOf(item);
        return kind !== undefined && !retained(kind, item, retention, nowMs);
      });
      let next = 0;
      await Promise.all(
        Array.from({ length: Math.min(DELETES_IN_FLIGHT, due.length) }, async () => {
          while (next < due.length) {
            const item = due[next++];
            try {
              // An offer's pointer first: if the run stops between the two, the offer (found again tomorrow) is left,
              // never a pointer no sweep or erasure would find.
              if (retainedKindOf(item) === 'offer') {
                const tenantId = shopperPartitionTenant(String(item.pk)) as string;
                const offerId = String(item.sk).slice('OFFER#'.length);
                await db().send(new DeleteCommand({ TableName: tableName, Key: offerPointerKey(tenantId, offerId) }));
                deleted++;
              }
              if (await deleteIfUnchanged(item, tableName)) deleted++;
            } catch (err) {
              // Throttled or unavailable: this item waits for the next run (reads already hide it); the run goes on.
              failed++;
              if (failed === 1)
                log('warn', 'retention sweep: a delete failed; the item is left to the next run', errorFields(err));
            }
          }
        }),
      );
      return due.length;
    },
  );
  return { scanned, deleted, failed };
}
