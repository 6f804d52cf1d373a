import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { handleRecord } from '../shared/delivery/deliver.js';
import '../shared/http/pipeline/xray.js';
import { withLogContext } from '../shared/platform/log.js';
import { flushMetrics } from '../shared/platform/metrics.js';

/**
 * SQS consumer of the offers queue (ReportBatchItemFailures): each record
 * succeeds or fails on its own (see handleRecord). One processor per batch,
 * as it holds the batch's state and batches can overlap in one process
 * locally; a batch whose every record failed answers with the full list
 * rather than throwing, as any partial failure does. Log lines carry the
 * function name and cold start; each delivery line adds the offer's ids and
 * the requestId of the offer request that made it.
 */
export const handler = (event: SQSEvent, context?: Context): Promise<SQSBatchResponse> =>
  withLogContext(context, {}, () =>
    processPartialResponse(event, handleRecord, new BatchProcessor(EventType.SQS), {
      context,
      throwOnFullBatchFailure: false,
    }).finally(flushMetrics),
  );
