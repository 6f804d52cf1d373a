import { ChangeMessageVisibilityCommand, SendMessageBatchCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { getSqs } from '../platform/clients.js';
import { getConfig } from '../platform/config.js';
import { offerMessageBody, type OfferMessage } from './messages.js';

/** Most messages one SendMessageBatch carries (an SQS limit): the offer path sends at most this many per request. */
export const MAX_BATCH = 10;

/**
 * Queue offers for delivery in ONE SendMessageBatch call. Returns the ids of
 * offers SQS did not accept (empty when all went through). `requestId` (the
 * offer request's id) goes into each message that does not carry its own; an
 * id not of the allowed form is left out.
 */
export async function queueOffers(messages: OfferMessage[], requestId?: string): Promise<string[]> {
  if (!messages.length) return [];
  if (messages.length > MAX_BATCH) throw new Error(`At most ${MAX_BATCH} offers per batch`);
  const res = await getSqs().send(
    new SendMessageBatchCommand({
      QueueUrl: getConfig().offersQueueUrl,
      Entries: messages.map((m, i) => ({
        Id: String(i),
        MessageBody: offerMessageBody({ ...m, requestId: m.requestId ?? requestId }),
      })),
    }),
  );
  return (res.Failed ?? []).map((f) => messages[Number(f.Id)].offerId);
}

/** Hide a received message for `seconds` (0 = visible again at once): the delivery retry backoff. */
export async function delayRedelivery(receiptHandle: string, seconds: number): Promise<void> {
  await getSqs().send(
    new ChangeMessageVisibilityCommand({
      QueueUrl: getConfig().offersQueueUrl,
      ReceiptHandle: receiptHandle,
      VisibilityTimeout: seconds,
    }),
  );
}

/** Put a message body on the dead-letter queue, with the reason as an attribute. */
export async function sendToDlq(body: string, reason: string): Promise<void> {
  await getSqs().send(
    new SendMessageCommand({
      QueueUrl: getConfig().dlqUrl,
      MessageBody: body,
      MessageAttributes: { reason: { DataType: 'String', StringValue: reason.slice(0, 200) } },
    }),
  );
}
