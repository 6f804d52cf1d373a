import { RETAINED_KINDS } from '../domain/values/retention.js';
import { ttlInDays } from './db.js';
import { shopperPartition } from './keys.js';
import type { Key } from './table-def.js';

/**
 * The shopper's last coarse location: an H3 cell (resolution 8), never coordinates.
 *   pk T#<tenant>#S#<shopper>   sk LOC
 * TTL: 30 days (the tenant's locationDays hides it sooner).
 */
export interface LastLocation {
  cell: string;
  at: string;
}

const SK = 'LOC';
const lastLocationKey = (tenantId: string, shopperId: string): Key => ({ pk: shopperPartition(tenantId, shopperId), sk: SK });

/** Is this shopper-partition item the last location? */
export const isLastLocationItem = (item: Record<string, unknown>) => item.sk === SK;

/** The item of the last location, for a batch write (offers.ts writes it with the offers). */
export const lastLocationItem = (tenantId: string, shopperId: string, l: LastLocation) => ({
  ...lastLocationKey(tenantId, shopperId),
  cell: l.cell,
  at: l.at,
  ttl: ttlInDays(RETAINED_KINDS.location.writtenDays),
});
