import { BatchGetCommand, BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import { unavailable } from '../platform/errors.js';
import type { Key } from './table-def.js';
import { db, table } from './db.js';

const MAX_ROUNDS = 5;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export type WriteRequest = { PutRequest: { Item: Record<string, unknown> } } | { DeleteRequest: { Key: Key } };

/**
 * Run a batch call over chunks (in parallel), resending what DynamoDB left
 * unprocessed with backoff; 503 if some of it never goes through.
 */
async function inChunks<T>(items: T[], size: number, send: (chunk: T[]) => Promise<T[]>): Promise<void> {
  const chunks: T[][] = [];
  for (let i = 0; i < items.length; i += size) chunks.push(items.slice(i, i + size));
  await Promise.all(
    chunks.map(async (chunk) => {
      let pending = chunk;
      for (let round = 0; pending.length; round++) {
        if (round >= MAX_ROUNDS) throw unavailable(1);
        if (round) await sleep(50 * 2 ** round);
        pending = await send(pending);
      }
    }),
  );
}

/** BatchWriteItem in chunks of 25. */
export async function batchWrite(requests: WriteRequest[]): Promise<void> {
  await inChunks(requests, 25, async (chunk) => {
    const res = await db().send(new BatchWriteCommand({ RequestItems: { [table()]: chunk as never } }));
    return (res.UnprocessedItems?.[table()] ?? []) as WriteRequest[];
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
