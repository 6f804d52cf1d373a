import { DeleteTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { inject } from 'vitest';
import { ensureTable } from '../../infra/local/bootstrap.js';
import { unique } from './api.js';

/**
 * A table of its own on the test stack's DynamoDB Local, with the service's key schema, indexes and stream
 * (ensureTable): for a test that scans (a migration) or writes so much that it would weigh on every other file
 * sharing the stack's table. `drop()` deletes it.
 */
export async function ownTable(prefix: string): Promise<{ tableName: string; drop: () => Promise<void> }> {
  const tableName = unique(prefix).replace(/[^A-Za-z0-9_.-]/g, '-');
  const admin = new DynamoDBClient({
    region: 'us-east-1',
    endpoint: inject('stack').dynamoEndpoint,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  await ensureTable(admin, tableName);
  return {
    tableName,
    drop: async () => {
      await admin.send(new DeleteTableCommand({ TableName: tableName })).catch(() => undefined);
      admin.destroy();
    },
  };
}
