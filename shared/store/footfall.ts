import { randomUUID } from 'node:crypto';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { FootfallDwell, FootfallEntry } from '../domain/visits/footfall.js';
import { db, live, table, ttlInDays } from './db.js';
import { tenantPartition } from './keys.js';
import type { TaggedItem } from './transactions.js';

/**
 * Footfall records of a geofence (domain/visits/footfall.ts): anonymous, one
 * per visit begun and one per visit ended, written in the offer transaction.
 *   pk T#<tenant>#FOOT#<geofenceId>   sk <localDate>#E#<random>  {date, dayOfWeek, hour, first}
 *                                     sk <localDate>#D#<random>  {date, dwellMinutes}
 * No shopper id, no exact time (the random part carries none, unlike a ULID).
 * TTL: FOOTFALL_RETENTION_DAYS.
 */
export const FOOTFALL_RETENTION_DAYS = 400;

const footfallPartition = (tenantId: string, geofenceId: string) => `${tenantPartition(tenantId)}#FOOT#${geofenceId}`;

const put = (tenantId: string, geofenceId: string, sk: string, fields: Record<string, unknown>): TaggedItem => ({
  tag: `footfall:${geofenceId}`,
  item: {
    Put: {
      Item: { pk: footfallPartition(tenantId, geofenceId), sk, ...fields, ttl: ttlInDays(FOOTFALL_RETENTION_DAYS) },
    },
  },
});

export const footfallEntryPut = (tenantId: string, geofenceId: string, e: FootfallEntry): TaggedItem =>
  put(tenantId, geofenceId, `${e.date}#E#${randomUUID()}`, { ...e });

export const footfallDwellPut = (tenantId: string, geofenceId: string, d: FootfallDwell): TaggedItem =>
  put(tenantId, geofenceId, `${d.date}#D#${randomUUID()}`, { ...d });

/** The records of local dates `from`..`to` (inclusive, YYYY-MM-DD), all pages. */
export async function queryFootfall(
  tenantId: string,
  geofenceId: string,
  from: string,
  to: string,
): Promise<{ entries: FootfallEntry[]; dwells: FootfallDwell[] }> {
  const entries: FootfallEntry[] = [];
  const dwells: FootfallDwell[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const res = await db().send(
      new QueryCommand({
        TableName: table(),
        KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
        ExpressionAttributeValues: { ':pk': footfallPartition(tenantId, geofenceId), ':from': from, ':to': `${to}#~` },
        ExclusiveStartKey: start,
      }),
    );
    // Past their TTL they are absent, whether or not DynamoDB has deleted them yet.
    for (const i of live(res.Items ?? [])) {
      const kind = String(i.sk).split('#')[1];
      if (kind === 'E')
        entries.push({ date: String(i.date), dayOfWeek: Number(i.dayOfWeek), hour: Number(i.hour), first: i.first === true });
      else if (kind === 'D') dwells.push({ date: String(i.date), dwellMinutes: Number(i.dwellMinutes) });
    }
    start = res.LastEvaluatedKey;
  } while (start);
  return { entries, dwells };
}
