import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { getDdb, setClients } from '../../shared/platform/clients.js';
import { getConfig } from '../../shared/platform/config.js';

/**
 * Run a large seed (tens of thousands of items) with a DynamoDB client that waits: the shared local DynamoDB, busy
 * with every other test file, can take longer than the service's 3 s request timeout on a batch. Same endpoint,
 * same table and the same store code; only the client's patience differs. The service's own client is back after.
 */
export async function withPatientStore<T>(fn: () => Promise<T>): Promise<T> {
  const normal = getDdb();
  const patient = DynamoDBDocumentClient.from(
    new DynamoDBClient({
      region: getConfig().region,
      endpoint: getConfig().dynamoEndpoint,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      maxAttempts: 6,
      requestHandler: new NodeHttpHandler({ connectionTimeout: 30_000, requestTimeout: 60_000 }),
    }),
    { marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false } },
  );
  setClients({ ddb: patient });
  try {
    return await fn();
  } finally {
    setClients({ ddb: normal });
    patient.destroy();
  }
}
