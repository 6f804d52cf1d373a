import {
  ChangeMessageVisibilityCommand,
  type MessageAttributeValue,
  SendMessageBatchCommand,
  type SendMessageBatchRequestEntry,
  SendMessageCommand,
} from '@aws-sdk/client-sqs';
import { getSqs } from '../platform/clients.js';
import { getConfig } from '../platform/config.js';
import { type DeliveryMessage, deliveryMessageBody, offerMessageAttributes } from './messages.js';

/** Most messages one SendMessageBatch carries (an SQS limit): the offer path sends at most this many per request. */
export const MAX_BATCH = 10;

/**
 * The SendMessageBatch entries of delivery messages (entry id = index). Each
 * body is the message's four identifiers only; `requestId` (the offer
 * request's id) travels as the `requestId` message attribute of its entry,
 * and an id not of the allowed form is left out.
 */
export function deliveryBatchEntries(items: { message: DeliveryMessage; requestId?: string }[]): SendMessageBatchRequestEntry[] {
  return items.map(({ message, requestId }, i) => {
    const attributes = offerMessageAttributes(requestId);
    return { Id: String(i), MessageBody: deliveryMessageBody(message), ...(attributes && { MessageAttributes: attributes }) };
  });
}

/**
 * Queue delivery messages (offers and geofence events), each with the id of
 * the request that made it, in ONE SendMessageBatch (<= 10). Returns the
 * indexes of the messages SQS did not accept.
 */
export async function queueDeliveryMessages(items: { message: DeliveryMessage; requestId?: string }[]): Promise<number[]> {
  if (!items.length) return [];
  if (items.length > MAX_BATCH) throw new Error(`At most ${MAX_BATCH} messages per batch`);
  const res = await getSqs().send(
    new SendMessageBatchCommand({ QueueUrl: getConfig().offersQueueUrl, Entries: deliveryBatchEntries(items) }),
  );
  return (res.Failed ?? []).map((f) => Number(f.Id));
}

/**
 * Hide a received message for `seconds` (0 = visible again at once): the
 * delivery retry backoff. The message stays as it is, attributes included.
 */
export async function delayRedelivery(receiptHandle: string, seconds: number): Promise<void> {
  await getSqs().send(
    new ChangeMessageVisibilityCommand({
      QueueUrl: getConfig().offersQueueUrl,
      ReceiptHandle: receiptHandle,
      VisibilityTimeout: seconds,
    }),
  );
}

/** Most message attributes SQS allows on one message. */
const MAX_ATTRIBUTES = 10;

/**
 * The attributes of a message moved to the dead-letter queue: the ones it came
 * with (as SendMessage takes them), plus the reason as the `reason` attribute
 * (in place of one it came with; of the others, the first 9 are kept, so that
 * the send stays within the SQS limit of 10).
 */
export function dlqAttributes(
  reason: string,
  attributes: Record<string, MessageAttributeValue> = {},
): Record<string, MessageAttributeValue> {
  const kept = Object.entries(attributes).filter(([name]) => name !== 'reason');
  return {
    ...Object.fromEntries(kept.slice(0, MAX_ATTRIBUTES - 1)),
    reason: { DataType: 'String', StringValue: reason.slice(0, 200) },
  };
}

/** Put a message on the dead-letter queue: its body, and its attributes with the reason (see dlqAttributes). */
export async function sendToDlq(
  body: string,
  reason: string,
  attributes: Record<string, MessageAttributeValue> = {},
): Promise<void> {
  await getSqs().send(
    new SendMessageCommand({
      QueueUrl: getConfig().dlqUrl,
      MessageBody: body,
      MessageAttributes: dlqAttributes(reason, attributes),
    }),
  );
}
