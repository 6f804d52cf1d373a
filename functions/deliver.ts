import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { handleRecord } from '../shared/delivery/deliver.js';
import '../shared/http/pipeline/xray.js';
import { withLogContext } from '../shared/platform/log.js';
import { flushMetrics } from '../shared/platform/metrics.js';

/**
 * SQS consumer of the delivery queue, offers and geofence events
 * (ReportBatchItemFailures): each record succeeds or fails on its own (see
 * handleRecord), and the records of a
 * batch are delivered at once, not one after another: a receiver that takes
 * its whole timeout delays none of its batch-mates (and a webhook that timed
 * out is paused, so its other deliveries do not hold later batches: see
 * shared/delivery/deliver.ts). One processor per batch,
 * as it holds the batch's state and batches can overlap in one process
 * locally; a batch whose every record failed answers with the full list
 * rather than throwing, as any partial failure does. Log lines carry the
 * function name and cold start; each delivery line adds the offer's (or
 * event's) ids and the requestId of the offer request that made an offer.
 */
export const handler = (event: SQSEvent, context?: Context): Promise<SQSBatchResponse> =>
  withLogContext(context, {}, () =>
    processPartialResponse(event, handleRecord, new BatchProcessor(EventType.SQS), {
      context,
      processInParallel: true,
      throwOnFullBatchFailure: false,
    }).finally(flushMetrics),
  );
