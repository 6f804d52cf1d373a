/**
 * The access audit log's vocabulary: the actions recorded, the kind of
 * resource each acts on, how long entries are kept, and the one rule of a
 * time range. Pure: the store writes entries, the services decide when.
 */

export const AUDIT_ACTIONS = [
  'shopper.read',
  'shopper.write',
  'shopper.export',
  'shopper.erase',
  'key.create',
  'key.revoke',
  'webhook.set',
  'webhook.rotate',
  'settings.update',
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

export const AUDIT_RESOURCES = ['shopper', 'key', 'webhook', 'settings'] as const;
export type AuditResource = (typeof AUDIT_RESOURCES)[number];

/** Days an entry is kept after it was written (its TTL). */
export const AUDIT_RETENTION_DAYS = 400;

/** The kind of resource an action acts on: the part of its name before the dot. */
export function auditResourceOf(action: AuditAction): AuditResource {
  return action.slice(0, action.indexOf('.')) as AuditResource;
}

/**
 * Why a `from`/`to` range of ISO date-times cannot be read, naming the field
 * (an empty list when it can): each must be a date-time, and `from` not later
 * than `to`. Either may be absent (open-ended).
 */
export function auditRangeIssues(from?: string, to?: string): { path: string; message: string }[] {
  const issues: { path: string; message: string }[] = [];
  const f = from === undefined ? undefined : Date.parse(from);
  const t = to === undefined ? undefined : Date.parse(to);
  if (f !== undefined && Number.isNaN(f)) issues.push({ path: 'from', message: 'Must be an ISO 8601 date-time.' });
  if (t !== undefined && Number.isNaN(t)) issues.push({ path: 'to', message: 'Must be an ISO 8601 date-time.' });
  if (!issues.length && f !== undefined && t !== undefined && f > t)
    issues.push({ path: 'from', message: 'Must not be later than to.' });
  return issues;
}
