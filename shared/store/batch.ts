import { BatchGetCommand, BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import { unavailable } from '../http/errors.js';
import type { Key } from './keys.js';
import { db, table } from './db.js';

const MAX_ROUNDS = 5;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

type WriteRequest = { PutRequest: { Item: Record<string, unknown> } } | { DeleteRequest: { Key: Key } };

/** BatchWriteItem in chunks of 25 (in parallel), retrying unprocessed items; 503 if they never go through. */
export async function batchWrite(requests: WriteRequest[]): Promise<void> {
  const chunks: WriteRequest[][] = [];
  for (let i = 0; i < requests.length; i += 25) chunks.push(requests.slice(i, i + 25));
  await Promise.all(
    chunks.map(async (chunk) => {
      let pending = chunk;
      for (let round = 0; pending.length; round++) {
        if (round >= MAX_ROUNDS) throw unavailable(1);
        if (round) await sleep(50 * 2 ** round);
        const res = await db().send(new BatchWriteCommand({ RequestItems: { [table()]: pending as never } }));
        pending = (res.UnprocessedItems?.[table()] ?? []) as WriteRequest[];
      }
    }),
  );
}

/** BatchGetItem (strongly consistent) in chunks of 100, retrying unprocessed keys. */
export async function batchGet(keyList: Key[]): Promise<Record<string, unknown>[]> {
  const out: Record<string, unknown>[] = [];
  const chunks: Key[][] = [];
  for (let i = 0; i < keyList.length; i += 100) chunks.push(keyList.slice(i, i + 100));
  await Promise.all(
    chunks.map(async (chunk) => {
      let pending = chunk;
      for (let round = 0; pending.length; round++) {
        if (round >= MAX_ROUNDS) throw unavailable(1);
        if (round) await sleep(50 * 2 ** round);
        const res = await db().send(
          new BatchGetCommand({ RequestItems: { [table()]: { Keys: pending, ConsistentRead: true } } }),
        );
        out.push(...(res.Responses?.[table()] ?? []));
        pending = (res.UnprocessedKeys?.[table()]?.Keys ?? []) as Key[];
      }
    }),
  );
  return out;
}
