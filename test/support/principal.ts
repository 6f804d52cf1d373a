import { SCOPES, type Principal } from '../../shared/auth/principal.js';
import { getDdb } from '../../shared/platform/clients.js';
import { batchGet } from '../../shared/store/batch.js';
import { queryPartition } from '../../shared/store/db.js';
import type { Key } from '../../shared/store/table-def.js';

/** A principal for calling services in-process (tests only), as the authorizer would produce it. */
export const adminPrincipal = (tenantId: string, storeIds: string[] = []): Principal => ({
  kind: 'secret',
  keyId: 'key_test',
  tenantId,
  scopes: [...SCOPES],
  storeIds,
});

interface CountableClient {
  middlewareStack: {
    add(mw: (next: any, context: any) => (args: any) => Promise<any>, opts: { step: 'finalizeRequest'; name: string }): void;
    remove(name: string): boolean;
  };
}

/** Count the HTTP requests (retries included) a client sends while `fn` runs, with SDK middleware. */
export async function countRequests<T>(
  client: CountableClient,
  fn: () => Promise<T>,
): Promise<{ result: T; requests: number; commands: string[] }> {
  const commands: string[] = [];
  const name = `count-${Math.random()}`;
  client.middlewareStack.add(
    (next, context) => async (args) => {
      commands.push(String(context.commandName));
      return next(args);
    },
    { step: 'finalizeRequest', name },
  );
  try {
    const result = await fn();
    return { result, requests: commands.length, commands };
  } finally {
    client.middlewareStack.remove(name);
  }
}

/** Count the requests the shared DynamoDB client sends while `fn` runs. */
export const countDynamoRequests = <T>(fn: () => Promise<T>) => countRequests(getDdb(), fn);

/**
 * The stored items of exactly these partitions and keys (strongly consistent
 * queries and gets): tests that look for what must not be stored read the
 * partitions their own data can live in, never a scan of the shared table.
 */
export async function storedItems(where: { partitions?: string[]; keys?: Key[] }): Promise<Record<string, unknown>[]> {
  const [pages, got] = await Promise.all([
    Promise.all((where.partitions ?? []).map((pk) => queryPartition(pk))),
    where.keys?.length ? batchGet(where.keys) : [],
  ]);
  return [...pages.flat(), ...got];
}

/** Run tasks with bounded concurrency. */
export async function pool<T>(items: T[], concurrency: number, fn: (item: T, i: number) => Promise<void>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < items.length) {
        const i = next++;
        await fn(items[i], i);
      }
    }),
  );
}
