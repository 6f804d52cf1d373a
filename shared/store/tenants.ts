import { GetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { apiKeyPuts, type ApiKeyRecord } from './apikeys.js';
import { keys } from './keys.js';
import { db, strip, table } from './db.js';

export interface Tenant {
  id: string;
  name: string;
  createdAt: string;
}

/** Create a tenant and its admin key in one transaction. */
export async function putTenantWithKey(t: Tenant, adminKey: ApiKeyRecord): Promise<void> {
  await db().send(
    new TransactWriteCommand({
      TransactItems: [
        { Put: { TableName: table(), Item: { ...keys.tenant(t.id), ...t }, ConditionExpression: 'attribute_not_exists(pk)' } },
        ...apiKeyPuts(adminKey),
      ],
    }),
  );
}

/** Read a tenant. */
export async function getTenant(id: string): Promise<Tenant | undefined> {
  const res = await db().send(new GetCommand({ TableName: table(), Key: keys.tenant(id) }));
  return res.Item ? (strip(res.Item) as unknown as Tenant) : undefined;
}
