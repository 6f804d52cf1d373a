import type { Principal } from '../auth/principal.js';
import { type AuditAction, auditRangeIssues, auditResourceOf } from '../domain/values/audit.js';
import { requestIdInScope } from '../platform/deadline.js';
import { forbidden, unprocessable } from '../platform/errors.js';
import { type AuditEntry, auditPut, listAuditEntries, putAuditEntry } from '../store/audit.js';
import { nowIso } from '../store/db.js';
import type { TransactItem } from '../store/transactions.js';

/**
 * The access audit log (GET /v1/audit): the services record each access to a
 * shopper and each change of keys and the webhook, with the key that did it
 * and the request it came in. An entry names the resource, never its data.
 */

/** The entry of `action` on `resourceId`, done now by `p` in the current request. */
export function auditEntry(p: Principal, action: AuditAction, resourceId: string): AuditEntry {
  return {
    at: nowIso(),
    keyId: p.keyId,
    action,
    resource: auditResourceOf(action),
    resourceId,
    requestId: requestIdInScope() ?? 'none',
  };
}

/** The entry as a transaction item: for an action that is one transaction, recorded in it (done and recorded, or neither). */
export const auditItem = (p: Principal, action: AuditAction, resourceId: string): TransactItem =>
  auditPut(p.tenantId, auditEntry(p, action, resourceId));

/** Record an action that is not one write (a read, an erasure of many items): called right after it succeeded. */
export async function recordAudit(p: Principal, action: AuditAction, resourceId: string): Promise<void> {
  await putAuditEntry(p.tenantId, auditEntry(p, action, resourceId));
}

/** One page of the tenant's entries between `from` and `to`, newest first. The log is tenant-wide: 403 for a store-restricted key. */
export async function listAudit(p: Principal, q: { from?: string; to?: string; limit: number; cursor?: string }) {
  if (p.storeIds.length) throw forbidden('The audit log covers the whole tenant, and this key is restricted to some stores.');
  const issues = auditRangeIssues(q.from, q.to);
  if (issues.length) throw unprocessable(issues);
  return listAuditEntries(p.tenantId, { from: q.from, to: q.to }, q.limit, q.cursor);
}
