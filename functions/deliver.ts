import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { OfferMessageSchema } from '../shared/queue/messages.js';
import { errorFields, log } from '../shared/log.js';

/**
 * SQS consumer of the offers queue. Reports failures per message
 * (ReportBatchItemFailures): a poison message fails alone, its batch-mates
 * are acknowledged.
 */
export async function handler(event: SQSEvent): Promise<SQSBatchResponse> {
  const batchItemFailures: SQSBatchResponse['batchItemFailures'] = [];
  await Promise.all(
    event.Records.map(async (record) => {
      try {
        await deliverOne(record);
      } catch (err) {
        log('warn', 'delivery failed', { messageId: record.messageId, ...errorFields(err) });
        batchItemFailures.push({ itemIdentifier: record.messageId });
      }
    }),
  );
  return { batchItemFailures };
}

async function deliverOne(record: SQSRecord): Promise<void> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(record.body);
  } catch {
    throw new Error('Poison message: body is not JSON');
  }
  const msg = OfferMessageSchema.safeParse(parsed);
  if (!msg.success) throw new Error('Poison message: not an offer message');
}
