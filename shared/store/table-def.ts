import { TABLE_KEYS } from './keys.js';

/**
 * The single table's shape, read by the local stack (CreateTable) and by the
 * CDK stack, so both always agree.
 */
export const TABLE_DEF = {
  defaultName: 'geo-offers',
  partitionKey: TABLE_KEYS.partitionKey,
  sortKey: TABLE_KEYS.sortKey,
  ttlAttribute: TABLE_KEYS.ttlAttribute,
  globalSecondaryIndexes: [
    { indexName: TABLE_KEYS.gsi1.name, partitionKey: TABLE_KEYS.gsi1.partitionKey, sortKey: TABLE_KEYS.gsi1.sortKey },
  ],
} as const;

/** Offers queue and its dead-letter queue. */
export const QUEUE_DEF = {
  offersQueueName: 'geo-offers-delivery',
  dlqName: 'geo-offers-delivery-dlq',
  /** A message that fails this many receives moves to the DLQ. */
  maxReceiveCount: 5,
  /** Delivery Lambda timeout; the queue's visibility timeout is 6x this. */
  deliveryTimeoutSeconds: 30,
} as const;
