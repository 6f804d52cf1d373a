import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { errorFields, log } from '../shared/platform/log.js';
import { sendToDlq } from '../shared/queue/offers.js';
import { PoisonMessage, deliver, parseMessage } from '../shared/services/delivery.js';

/**
 * SQS consumer of the offers queue (ReportBatchItemFailures): each message
 * succeeds or fails on its own. A malformed message is moved to the DLQ at
 * once and acknowledged, so it never holds up its batch-mates.
 */
export async function handler(event: SQSEvent): Promise<SQSBatchResponse> {
  const batchItemFailures: SQSBatchResponse['batchItemFailures'] = [];
  await Promise.all(
    event.Records.map(async (record) => {
      try {
        const outcome = await deliver(record, parseMessage(record));
        if (outcome === 'retry' || outcome === 'failed') batchItemFailures.push({ itemIdentifier: record.messageId });
      } catch (err) {
        if (err instanceof PoisonMessage) {
          try {
            await sendToDlq(record.body, err.message);
            log('warn', 'poison message moved to the DLQ', { messageId: record.messageId, reason: err.message });
            return;
          } catch (dlqErr) {
            log('error', 'could not move poison message', errorFields(dlqErr));
          }
        } else log('error', 'delivery error', { messageId: record.messageId, ...errorFields(err) });
        batchItemFailures.push({ itemIdentifier: record.messageId });
      }
    }),
  );
  return { batchItemFailures };
}
