import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { getConfig } from './config.js';
import { tracer } from './tracer.js';

/**
 * The AWS clients, created once per process (module scope, reused across
 * Lambda invocations). Locally only the endpoints differ. Tests may pass
 * their own clients with setClients (e.g. to count requests with middleware).
 * On AWS each SDK call is an X-Ray subsegment (the tracer is off elsewhere).
 */
let ddb: DynamoDBDocumentClient | undefined;
let sqs: SQSClient | undefined;

const localCredentials = { accessKeyId: 'local', secretAccessKey: 'local' };

export function makeDynamoClient(endpoint?: string, region = getConfig().region): DynamoDBDocumentClient {
  const base = tracer.captureAWSv3Client(
    new DynamoDBClient({
      region,
      ...(endpoint ? { endpoint, credentials: localCredentials } : {}),
      maxAttempts: 3,
    }),
  );
  return DynamoDBDocumentClient.from(base, {
    marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
  });
}

export function makeSqsClient(endpoint?: string, region = getConfig().region): SQSClient {
  return tracer.captureAWSv3Client(
    new SQSClient({
      region,
      ...(endpoint ? { endpoint, credentials: localCredentials, useQueueUrlAsEndpoint: false } : {}),
      maxAttempts: 3,
    }),
  );
}

export function getDdb(): DynamoDBDocumentClient {
  ddb ??= makeDynamoClient(getConfig().dynamoEndpoint);
  return ddb;
}

export function getSqs(): SQSClient {
  sqs ??= makeSqsClient(getConfig().sqsEndpoint);
  return sqs;
}

export function setClients(c: { ddb?: DynamoDBDocumentClient; sqs?: SQSClient }): void {
  if (c.ddb) ddb = c.ddb;
  if (c.sqs) sqs = c.sqs;
}
