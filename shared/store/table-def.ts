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
  /**
   * Attempts at the tenant's webhook: after the last one fails, the offer reads `failed` and its message
   * is moved to the DLQ by the deliver function. Counted on the offer (its `deliveryAttempts`), not by SQS.
   */
  webhookAttempts: 5,
  /**
   * Receives after which SQS itself moves a message to the DLQ: only a message the deliver function kept
   * failing to handle (its own dependency, e.g. DynamoDB, down for hours: the backoff between receives grows
   * to 15 min), never a webhook's failures, which webhookAttempts counts.
   */
  maxReceiveCount: 30,
  /** Delivery Lambda timeout; the queue's visibility timeout is 6x this. */
  deliveryTimeoutSeconds: 30,
} as const;
