import { isShortened, type Retention } from '../domain/values/retention.js';
import { log } from '../platform/log.js';
import { type SweepResult, sweepPastRetention } from '../store/retention-sweep.js';
import { listRetentionRegister } from '../store/settings.js';

/**
 * The daily retention sweep (functions/retention.ts on a schedule; every hour under `npm start`): the tenants that
 * shortened a retention (the settings register), then one scan that deletes their shoppers' items past it. When no
 * tenant shortened anything, it reads one partition and scans nothing.
 */
export async function sweepRetention(nowMs = Date.now(), tableName?: string): Promise<SweepResult & { tenants: number }> {
  const shortened = new Map<string, Retention>();
  for (const { tenantId, retention } of await listRetentionRegister())
    if (isShortened(retention)) shortened.set(tenantId, retention);
  const result = await sweepPastRetention(shortened, nowMs, tableName);
  log('info', 'retention sweep done', {
    tenants: shortened.size,
    scanned: result.scanned,
    deleted: result.deleted,
    failed: result.failed,
  });
  return { tenants: shortened.size, ...result };
}
