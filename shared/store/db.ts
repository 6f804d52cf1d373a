import { unmarshall } from '@aws-sdk/util-dynamodb';
import { QueryCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { getDdb } from '../platform/clients.js';
import { getConfig } from '../platform/config.js';
import { unprocessable } from '../platform/errors.js';
import { DEFAULT_RETENTION, isRetained, type RetainedKind, type Retention, retainedUntilS } from '../domain/values/retention.js';

/** Shared plumbing of the store modules: table name, cursors, condition errors, time, TTL. */

export const table = () => getConfig().tableName;
export const db = () => getDdb();

export const nowIso = () => new Date().toISOString();
export const epochSeconds = (d: Date | number = Date.now()) => Math.floor((typeof d === 'number' ? d : d.getTime()) / 1000);

export const DAY_S = 86_400;

/** TTL attribute for shopper-scoped and temporary items; reads treat expired items as absent. */
export const ttlIn = (seconds: number, from = Date.now()) => epochSeconds(from) + Math.ceil(seconds);
export const ttlInDays = (days: number, from = Date.now()) => ttlIn(days * DAY_S, from);
export const isExpired = (item: { ttl?: unknown } | undefined, now = Date.now()) =>
  !!item && typeof item.ttl === 'number' && item.ttl <= epochSeconds(now);
/** The items of a read that have not expired (DynamoDB deletes expired items only eventually). */
export const live = <T extends Record<string, unknown>>(items: T[], now = Date.now()) => items.filter((i) => !isExpired(i, now));

/** What retention reads of a stored item: its TTL and its createdAt. */
const retainedView = (item: Record<string, unknown>) => ({ expiresS: item.ttl, createdAt: item.createdAt });
/** Is a stored item of `kind` still kept under the tenant's retention at `nowMs`? (domain/values/retention.ts) */
export const retained = (
  kind: RetainedKind,
  item: Record<string, unknown>,
  retention: Retention = DEFAULT_RETENTION,
  nowMs = Date.now(),
) => isRetained(kind, retainedView(item), retention, nowMs);
/** The epoch second a stored item of `kind` stops being kept (undefined: never, by retention). */
export const retainedUntil = (kind: RetainedKind, item: Record<string, unknown>, retention: Retention = DEFAULT_RETENTION) =>
  retainedUntilS(kind, retainedView(item), retention);

export function isConditionFailed(err: unknown): boolean {
  return (err as { name?: string })?.name === 'ConditionalCheckFailedException';
}

export function isTransactionCancelled(err: unknown): boolean {
  return (err as { name?: string })?.name === 'TransactionCanceledException';
}

/**
 * Opaque list cursors: the LastEvaluatedKey, base64url. A cursor is only
 * accepted for the partition it came from, so it cannot be aimed at another
 * tenant's data.
 */
export function encodeCursor(lastKey: Record<string, unknown> | undefined): string | null {
  if (!lastKey) return null;
  return Buffer.from(JSON.stringify(lastKey), 'utf8').toString('base64url');
}

/**
 * Read a cursor back: exactly the key attributes the query's pages carry
 * (`equal` must match as given, `prefix` must start with it), all non-empty
 * strings; anything else is a 422, never a malformed DynamoDB request.
 */
export function decodeCursor(
  cursor: string | undefined,
  equal: Record<string, string>,
  prefix: Record<string, string> = {},
): Record<string, unknown> | undefined {
  if (!cursor) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    parsed = undefined;
  }
  const names = [...Object.keys(equal), ...Object.keys(prefix)].sort();
  const obj = parsed as Record<string, unknown>;
  const ok =
    !!parsed &&
    typeof parsed === 'object' &&
    !Array.isArray(parsed) &&
    JSON.stringify(Object.keys(obj).sort()) === JSON.stringify(names) &&
    Object.values(obj).every((v) => typeof v === 'string' && v.length > 0 && v.length <= 1024) &&
    Object.entries(equal).every(([k, v]) => obj[k] === v) &&
    Object.entries(prefix).every(([k, v]) => (obj[k] as string).startsWith(v) && (obj[k] as string).length > v.length);
  if (!ok) throw unprocessable([{ path: 'cursor', message: 'Invalid or foreign cursor.' }]);
  return obj;
}

/** Strip storage attributes before an item leaves the store module. */
export function strip<T extends Record<string, unknown>>(item: T): Omit<T, 'pk' | 'sk' | 'gsi1pk' | 'gsi1sk' | 'ttl'> {
  const { pk: _pk, sk: _sk, gsi1pk: _g1, gsi1sk: _g2, ttl: _ttl, ...rest } = item;
  return rest;
}

/** The old item a failed condition returned (ReturnValuesOnConditionCheckFailure), unmarshalled. */
export function conditionFailedItem(err: unknown): Record<string, unknown> | undefined {
  const raw = (err as { Item?: Record<string, unknown> })?.Item;
  if (!raw) return undefined;
  try {
    return unmarshall(raw as Parameters<typeof unmarshall>[0]);
  } catch {
    return raw;
  }
}

/**
 * Every item of a partition (optionally a sort-key prefix), following pages; strongly consistent unless
 * `opts.consistent` is false. `opts.projection` (with `opts.names` for reserved words) reads only those
 * attributes.
 */
export async function queryPartition(
  pk: string,
  skPrefix?: string,
  opts: { projection?: string; names?: Record<string, string>; consistent?: boolean } = {},
): Promise<Record<string, unknown>[]> {
  const out: Record<string, unknown>[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const res = await db().send(
      new QueryCommand({
        TableName: table(),
        KeyConditionExpression: skPrefix ? 'pk = :pk AND begins_with(sk, :p)' : 'pk = :pk',
        ExpressionAttributeValues: { ':pk': pk, ...(skPrefix ? { ':p': skPrefix } : {}) },
        ...(opts.projection ? { ProjectionExpression: opts.projection } : {}),
        ...(opts.names ? { ExpressionAttributeNames: opts.names } : {}),
        ConsistentRead: opts.consistent ?? true,
        ExclusiveStartKey: start,
      }),
    );
    out.push(...(res.Items ?? []));
    start = res.LastEvaluatedKey;
  } while (start);
  return out;
}

/**
 * Scan a table in `segments` parallel segments, every page, filtered (one-off operations, and the daily retention
 * sweep: the only function granted Scan). `onPage` handles each page's items and returns how many it acted on; the total is returned.
 */
export async function scanSegments(
  tableName: string,
  segments: number,
  filter: { expression: string; values: Record<string, unknown>; projection?: string; names?: Record<string, string> },
  onPage: (items: Record<string, unknown>[]) => Promise<number>,
): Promise<number> {
  const counts = await Promise.all(
    Array.from({ length: segments }, async (_, segment) => {
      let n = 0;
      let start: Record<string, unknown> | undefined;
      do {
        const page = await db().send(
          new ScanCommand({
            TableName: tableName,
            Segment: segment,
            TotalSegments: segments,
            FilterExpression: filter.expression,
            ExpressionAttributeValues: filter.values,
            ...(filter.projection ? { ProjectionExpression: filter.projection } : {}),
            ...(filter.names ? { ExpressionAttributeNames: filter.names } : {}),
            ExclusiveStartKey: start,
          }),
        );
        n += await onPage(page.Items ?? []);
        start = page.LastEvaluatedKey;
      } while (start);
      return n;
    }),
  );
  return counts.reduce((a, b) => a + b, 0);
}
