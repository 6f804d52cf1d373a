import { SCOPES, type Principal } from '../../shared/auth/principal.js';
import { getDdb } from '../../shared/clients.js';

/** A principal for calling services in-process (tests only), as the authorizer would produce it. */
export const adminPrincipal = (tenantId: string, storeIds: string[] = []): Principal => ({
  kind: 'secret',
  keyId: 'key_test',
  tenantId,
  scopes: [...SCOPES],
  storeIds,
});

/** Count the HTTP requests the shared DynamoDB client sends (retries included) while `fn` runs. */
export async function countDynamoRequests<T>(fn: () => Promise<T>): Promise<{ result: T; requests: number; commands: string[] }> {
  const commands: string[] = [];
  const name = `count-${Math.random()}`;
  getDdb().middlewareStack.add(
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
    getDdb().middlewareStack.remove(name);
  }
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
