import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { RETAINED_KINDS } from '../domain/values/retention.js';
import { db, table, ttlInDays } from './db.js';
import { shopperPartition } from './keys.js';
import type { Key } from './table-def.js';

/**
 * A purchase recorded against a shopper, with the campaigns it was attributed to.
 *   pk T#<tenant>#S#<shopper>   sk CONV#<conversionId>
 * TTL: 400 days (the tenant's profileDays hides it sooner).
 */
export interface Conversion {
  id: string;
  shopperId: string;
  storeId: string | null;
  amount: number | null;
  at: string;
  attributedTo: { campaignId: string; side: 'treatment' | 'holdout' }[];
}

const PREFIX = 'CONV#';
const conversionKey = (tenantId: string, shopperId: string, conversionId: string): Key => ({
  pk: shopperPartition(tenantId, shopperId),
  sk: `${PREFIX}${conversionId}`,
});

/** Is this shopper-partition item a conversion? */
export const isConversionItem = (item: Record<string, unknown>) => String(item.sk).startsWith(PREFIX);

/** Record a conversion. */
export async function putConversion(tenantId: string, c: Conversion): Promise<void> {
  await db().send(
    new PutCommand({
      TableName: table(),
      Item: { ...conversionKey(tenantId, c.shopperId, c.id), ...c, ttl: ttlInDays(RETAINED_KINDS.conversion.writtenDays) },
    }),
  );
}
