import {
  CreateTableCommand,
  DescribeTableCommand,
  type DynamoDBClient,
  ResourceInUseException,
  UpdateTableCommand,
  UpdateTimeToLiveCommand,
  waitUntilTableExists,
} from '@aws-sdk/client-dynamodb';
import { CreateQueueCommand, GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { QUEUE_DEF, TABLE_DEF } from '../../shared/store/table-def.js';

/** Create the table (keys, GSIs, TTL, stream) unless it exists; turn its stream on if an older table lacks it. Returns the stream's ARN. */
export async function ensureTable(client: DynamoDBClient, tableName: string): Promise<string> {
  try {
    const found = await client.send(new DescribeTableCommand({ TableName: tableName }));
    if (found.Table?.StreamSpecification?.StreamEnabled && found.Table.LatestStreamArn) return found.Table.LatestStreamArn;
    const updated = await client.send(
      new UpdateTableCommand({
        TableName: tableName,
        StreamSpecification: { StreamEnabled: true, StreamViewType: TABLE_DEF.streamViewType },
      }),
    );
    return updated.TableDescription!.LatestStreamArn!;
  } catch (err) {
    if ((err as Error).name !== 'ResourceNotFoundException') throw err;
  }
  const attrs = new Set<string>([TABLE_DEF.partitionKey, TABLE_DEF.sortKey]);
  for (const g of TABLE_DEF.globalSecondaryIndexes) attrs.add(g.partitionKey).add(g.sortKey);
  try {
    await client.send(
      new CreateTableCommand({
        TableName: tableName,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [...attrs].map((AttributeName) => ({ AttributeName, AttributeType: 'S' })),
        KeySchema: [
          { AttributeName: TABLE_DEF.partitionKey, KeyType: 'HASH' },
          { AttributeName: TABLE_DEF.sortKey, KeyType: 'RANGE' },
        ],
        GlobalSecondaryIndexes: TABLE_DEF.globalSecondaryIndexes.map((g) => ({
          IndexName: g.indexName,
          KeySchema: [
            { AttributeName: g.partitionKey, KeyType: 'HASH' },
            { AttributeName: g.sortKey, KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'ALL' },
        })),
        StreamSpecification: { StreamEnabled: true, StreamViewType: TABLE_DEF.streamViewType },
      }),
    );
  } catch (err) {
    if (!(err instanceof ResourceInUseException)) throw err;
  }
  await waitUntilTableExists({ client, maxWaitTime: 30 }, { TableName: tableName });
  await client.send(
    new UpdateTimeToLiveCommand({
      TableName: tableName,
      TimeToLiveSpecification: { AttributeName: TABLE_DEF.ttlAttribute, Enabled: true },
    }),
  );
  const created = await client.send(new DescribeTableCommand({ TableName: tableName }));
  return created.Table!.LatestStreamArn!;
}

/** Create the offers queue and its DLQ (redrive after maxReceiveCount receives) unless they exist. */
export async function ensureQueues(sqs: SQSClient): Promise<{ offersQueueUrl: string; dlqUrl: string }> {
  const dlq = await sqs.send(
    new CreateQueueCommand({ QueueName: QUEUE_DEF.dlqName, Attributes: { MessageRetentionPeriod: '1209600' } }),
  );
  const dlqAttrs = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: dlq.QueueUrl, AttributeNames: ['QueueArn'] }));
  const main = await sqs.send(
    new CreateQueueCommand({
      QueueName: QUEUE_DEF.offersQueueName,
      Attributes: {
        VisibilityTimeout: String(QUEUE_DEF.deliveryTimeoutSeconds * 6),
        RedrivePolicy: JSON.stringify({
          deadLetterTargetArn: dlqAttrs.Attributes!.QueueArn,
          maxReceiveCount: QUEUE_DEF.maxReceiveCount,
        }),
      },
    }),
  );
  return { offersQueueUrl: main.QueueUrl!, dlqUrl: dlq.QueueUrl! };
}
