import { GetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { apiKeyPuts, type ApiKeyRecord } from './apikeys.js';
import { db, strip, table } from './db.js';
import { tenantPartition } from './keys.js';
import type { Key } from './table-def.js';

/**
 * The tenant record.
 *   pk T#<tenant>   sk TENANT      no TTL
 */
export interface Tenant {
  id: string;
  name: string;
  createdAt: string;
}

const tenantKey = (tenantId: string): Key => ({ pk: tenantPartition(tenantId), sk: 'TENANT' });

/** Create a tenant and its admin key in one transaction. */
export async function putTenantWithKey(t: Tenant, adminKey: ApiKeyRecord): Promise<void> {
  await db().send(
    new TransactWriteCommand({
      TransactItems: [
        { Put: { TableName: table(), Item: { ...tenantKey(t.id), ...t }, ConditionExpression: 'attribute_not_exists(pk)' } },
        ...apiKeyPuts(adminKey),
      ],
    }),
  );
}

/** Read a tenant. */
export async function getTenant(id: string): Promise<Tenant | undefined> {
  const res = await db().send(new GetCommand({ TableName: table(), Key: tenantKey(id) }));
  return res.Item ? (strip(res.Item) as unknown as Tenant) : undefined;
}
