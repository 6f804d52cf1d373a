import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { db, isConditionFailed, table } from './db.js';
import type { Key } from './table-def.js';

/**
 * The delivery outcome of one item delivered to a webhook (an offer, a geofence event): its status, its attempt
 * count, the last error (first 200 characters) and, when given, its delivery log as it is to be stored. No-op,
 * returning false, if the item was erased or delivered meanwhile.
 */
export async function updateDeliveryStatus(
  Key: Key,
  status: string,
  attempts: number,
  error?: string,
  log?: unknown[],
): Promise<boolean> {
  const sets = ['deliveryStatus = :s', 'deliveryAttempts = :a'];
  if (status === 'delivered') sets.push('deliveredAt = :at');
  if (error) sets.push('lastDeliveryError = :e');
  if (log) sets.push('deliveryLog = :log');
  try {
    await db().send(
      new UpdateCommand({
        TableName: table(),
        Key,
        UpdateExpression: `SET ${sets.join(', ')}`,
        ConditionExpression: 'attribute_exists(pk) AND deliveryStatus <> :delivered',
        ExpressionAttributeValues: {
          ':s': status,
          ':a': attempts,
          ':delivered': 'delivered',
          ...(status === 'delivered' ? { ':at': new Date().toISOString() } : {}),
          ...(error ? { ':e': error.slice(0, 200) } : {}),
          ...(log ? { ':log': log } : {}),
        },
      }),
    );
    return true;
  } catch (err) {
    if (!isConditionFailed(err)) throw err;
    return false;
  }
}
