import type { Context, DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import '../shared/http/pipeline/xray.js';
import { withLogContext } from '../shared/platform/log.js';
import { flushMetrics } from '../shared/platform/metrics.js';
import { processOutbox } from '../shared/services/outbox.js';

/**
 * The table's stream consumer (the outbox): new offers and geofence events → the delivery queue,
 * new eligibility records → campaign stats. A record that could not be
 * handled is reported by sequence number; the event source retries the batch
 * from it (ReportBatchItemFailures), so nothing is skipped.
 */
export const handler = (event: DynamoDBStreamEvent, context?: Context): Promise<DynamoDBBatchResponse> =>
  withLogContext(context, {}, async () => {
    try {
      const failed = await processOutbox(event.Records);
      return { batchItemFailures: failed ? [{ itemIdentifier: failed }] : [] };
    } finally {
      flushMetrics();
    }
  });
