import { BatchGetCommand, BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import { unavailable } from '../platform/errors.js';
import type { Key } from './table-def.js';
import { db, table } from './db.js';

const MAX_ROUNDS = 5;
/** Batch calls in flight at once per batch operation (a large seed must not open thousands of sockets). */
const MAX_PARALLEL = 16;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export type WriteRequest = { PutRequest: { Item: Record<string, unknown> } } | { DeleteRequest: { Key: Key } };

/**
 * Run a batch call over chunks (up to MAX_PARALLEL at once: one round trip
 * for anything up to 16 chunks), resending what DynamoDB left unprocessed
 * with backoff; 503 if some of it never goes through.
 */
async function inChunks<T>(items: T[], size: number, send: (chunk: T[]) => Promise<T[]>): Promise<void> {
  const chunks: T[][] = [];
  for (let i = 0; i < items.length; i += size) chunks.push(items.slice(i, i + size));
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(MAX_PARALLEL, chunks.length) }, async () => {
      while (next < chunks.length) {
        let pending = chunks[next++];
        for (let round = 0; pending.length; round++) {
          if (round >= MAX_ROUNDS) throw unavailable(1);
          if (round) await sleep(50 * 2 ** round);
          pending = await send(pending);
        }
      }
    }),
  );
}

/** BatchWriteItem in chunks of 25 (on the service's table unless told another, as a one-off migration may be). */
export async function batchWrite(requests: WriteRequest[], tableName: string = table()): Promise<void> {
  await inChunks(requests, 25, async (chunk) => {
    const res = await db().send(new BatchWriteCommand({ RequestItems: { [tableName]: chunk as never } }));
    return (res.UnprocessedItems?.[tableName] ?? []) as WriteRequest[];
  });
}

/** BatchGetItem (strongly consistent) in chunks of 100. */
export async function batchGet(keyList: Key[]): Promise<Record<string, unknown>[]> {
  const out: Record<string, unknown>[] = [];
  await inChunks(keyList, 100, async (chunk) => {
    const res = await db().send(new BatchGetCommand({ RequestItems: { [table()]: { Keys: chunk, ConsistentRead: true } } }));
    out.push(...(res.Responses?.[table()] ?? []));
    return (res.UnprocessedKeys?.[table()]?.Keys ?? []) as Key[];
  });
  return out;
}
