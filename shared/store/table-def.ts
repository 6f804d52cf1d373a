/**
 * The single table's shape, read by the local stack (CreateTable) and by the
 * CDK stack, so both always agree. `pk`/`sk` for the base table,
 * `gsi1pk`/`gsi1sk` where an entity is also listed another way, `ttl` for
 * items DynamoDB deletes on its own (reads treat expired items as absent).
 */
export const TABLE_DEF = {
  defaultName: 'geo-offers',
  partitionKey: 'pk',
  sortKey: 'sk',
  ttlAttribute: 'ttl',
  globalSecondaryIndexes: [{ indexName: 'gsi1', partitionKey: 'gsi1pk', sortKey: 'gsi1sk' }],
  /** The table's stream (the outbox: new offers → SQS, new eligibility records → stats), new images only. */
  streamViewType: 'NEW_IMAGE',
} as const;

/** The primary key of one item. */
export interface Key {
  pk: string;
  sk: string;
}

/** Offers queue and its dead-letter queue. */
export const QUEUE_DEF = {
  offersQueueName: 'geo-offers-delivery',
  dlqName: 'geo-offers-delivery-dlq',
  /** A message that fails this many receives moves to the DLQ. */
  maxReceiveCount: 5,
  /** Delivery Lambda timeout; the queue's visibility timeout is 6x this. */
  deliveryTimeoutSeconds: 30,
} as const;
