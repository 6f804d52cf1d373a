import { TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { db, isTransactionCancelled, table } from './db.js';
import type { Key } from './table-def.js';

/**
 * One TransactWriteItems: every item written, or none. The store modules
 * build the items (their keys stay theirs); this module sends them and says
 * which ones refused, by the tag each item was given.
 */
export type TransactItem =
  | {
      Put: {
        Item: Record<string, unknown>;
        ConditionExpression?: string;
        ExpressionAttributeNames?: Record<string, string>;
        ExpressionAttributeValues?: Record<string, unknown>;
      };
    }
  | {
      Update: {
        Key: Key;
        UpdateExpression: string;
        ConditionExpression?: string;
        ExpressionAttributeNames?: Record<string, string>;
        ExpressionAttributeValues?: Record<string, unknown>;
      };
    };

/** An item and what it stands for (e.g. `cap:<campaignId>`), to tell the caller which condition refused. */
export interface TaggedItem {
  tag: string;
  item: TransactItem;
}

/** DynamoDB's limit of items per transaction. */
export const MAX_TRANSACT_ITEMS = 100;

export type TransactOutcome =
  | { ok: true }
  /**
   * `refused`: tags whose condition failed, with the item as it was (absent when there was none: an item's
   * `ReturnValuesOnConditionCheckFailure` is ALL_OLD); `conflict`: another transaction held an item (retry).
   */
  | { ok: false; refused: string[]; found: Map<string, Record<string, unknown> | undefined>; conflict: boolean };

/**
 * Write all items or none. A cancelled transaction is an outcome, not an
 * error (the caller decides again); anything else (throttling after the SDK's
 * retries, a dependency down) propagates.
 */
export async function transactWrite(items: TaggedItem[], token?: string): Promise<TransactOutcome> {
  if (!items.length) return { ok: true };
  if (items.length > MAX_TRANSACT_ITEMS) throw new Error(`transaction of ${items.length} items exceeds ${MAX_TRANSACT_ITEMS}`);
  try {
    await db().send(
      new TransactWriteCommand({
        TransactItems: items.map(({ item }) =>
          'Put' in item
            ? { Put: { TableName: table(), ReturnValuesOnConditionCheckFailure: 'ALL_OLD', ...item.Put } }
            : { Update: { TableName: table(), ReturnValuesOnConditionCheckFailure: 'ALL_OLD', ...item.Update } },
        ),
        ...(token ? { ClientRequestToken: token } : {}),
      }),
    );
    return { ok: true };
  } catch (err) {
    if (!isTransactionCancelled(err)) throw err;
    const reasons =
      (err as { CancellationReasons?: { Code?: string; Item?: Record<string, unknown> }[] }).CancellationReasons ?? [];
    const found = new Map<string, Record<string, unknown> | undefined>();
    items.forEach((x, i) => {
      // The item comes back as DynamoDB wrote it (attribute values), as the document client does not translate errors.
      if (reasons[i]?.Code === 'ConditionalCheckFailed') {
        const item = reasons[i].Item;
        found.set(x.tag, item ? unmarshall(item as Parameters<typeof unmarshall>[0]) : undefined);
      }
    });
    const refused = [...found.keys()];
    const conflict = reasons.some((r) => r?.Code === 'TransactionConflict');
    return { ok: false, refused, found, conflict: conflict || !refused.length };
  }
}
