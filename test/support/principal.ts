import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { SCOPES, type Principal } from '../../shared/auth/principal.js';
import { getDdb } from '../../shared/platform/clients.js';

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
export async function countRequests<T>(client: CountableClient, fn: () => Promise<T>): Promise<{ result: T; requests: number; commands: string[] }> {
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

/** Every item of the table, as JSON text (tests that look for what must not be stored). */
export async function tableDump(): Promise<string> {
  const items: unknown[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await getDdb().send(new ScanCommand({ TableName: process.env.TABLE_NAME, ExclusiveStartKey: start }));
    items.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start);
  return JSON.stringify(items);
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
