import {
  DeleteMessageBatchCommand,
  type Message,
  type MessageAttributeValue,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent, SQSMessageAttributes, SQSRecord } from 'aws-lambda';
import { errorFields, log } from '../../shared/platform/log.js';
import { lambdaContext } from './gateway.js';

type SqsHandler = (event: SQSEvent, ctx: ReturnType<typeof lambdaContext>) => Promise<SQSBatchResponse | undefined>;

/**
 * ReceiveMessage's message attributes in the shape Lambda's SQS event gives
 * them: camel-case keys, binary values in base64, and the (unimplemented)
 * list values as empty lists.
 */
export function lambdaMessageAttributes(attrs: Record<string, MessageAttributeValue> | undefined): SQSMessageAttributes {
  const out: SQSMessageAttributes = {};
  for (const [name, a] of Object.entries(attrs ?? {})) {
    out[name] = {
      ...(a.StringValue !== undefined && { stringValue: a.StringValue }),
      ...(a.BinaryValue !== undefined && { binaryValue: Buffer.from(a.BinaryValue).toString('base64') }),
      stringListValues: [],
      binaryListValues: [],
      dataType: a.DataType ?? 'String',
    };
  }
  return out;
}

/** Batches handled at once (on AWS the event source mapping runs up to DELIVERY_MAX_CONCURRENCY, infra/aws/functions.ts). */
export const DEFAULT_POLLER_CONCURRENCY = 10;

export interface PollerOptions {
  /** Batches in flight at once (default DEFAULT_POLLER_CONCURRENCY). */
  concurrency?: number;
}

/** A received message as Lambda's SQS event hands it over (system and message attributes included). */
function lambdaRecord(m: Message, queueArn: string): SQSRecord {
  return {
    messageId: m.MessageId!,
    receiptHandle: m.ReceiptHandle!,
    body: m.Body ?? '',
    attributes: {
      ApproximateReceiveCount: m.Attributes?.ApproximateReceiveCount ?? '1',
      SentTimestamp: m.Attributes?.SentTimestamp ?? String(Date.now()),
      SenderId: m.Attributes?.SenderId ?? 'local',
      ApproximateFirstReceiveTimestamp: m.Attributes?.ApproximateFirstReceiveTimestamp ?? String(Date.now()),
    },
    messageAttributes: lambdaMessageAttributes(m.MessageAttributes),
    ...(m.MD5OfMessageAttributes && { md5OfMessageAttributes: m.MD5OfMessageAttributes }),
    md5OfBody: m.MD5OfBody ?? '',
    eventSource: 'aws:sqs',
    eventSourceARN: queueArn,
    awsRegion: 'us-east-1',
  };
}

/**
 * The local stand-in for Lambda's SQS event source mapping: long-polls the
 * queue, hands batches of up to 10 records to the handler as a real SQS
 * event, and deletes the records the handler did not report as failed
 * (ReportBatchItemFailures). A handler that throws fails the whole batch.
 * Like the event source on AWS, it does not wait for one batch before taking
 * the next: up to `concurrency` batches are handled at once, so a batch that
 * waits on a slow webhook holds one of them, never the queue.
 */
export function startPoller(
  sqs: SQSClient,
  queueUrl: string,
  queueArn: string,
  handler: SqsHandler,
  options: PollerOptions = {},
) {
  const concurrency = Math.max(1, options.concurrency ?? DEFAULT_POLLER_CONCURRENCY);
  let running = true;
  let wake: (() => void) | undefined;
  const inFlight = new Set<Promise<void>>();

  async function handleBatch(messages: Message[]) {
    const event: SQSEvent = { Records: messages.map((m) => lambdaRecord(m, queueArn)) };
    let failed = new Set<string>(event.Records.map((r) => r.messageId));
    try {
      const out = await handler(event, lambdaContext('deliver', `sqs-${Date.now()}`));
      failed = new Set((out?.batchItemFailures ?? []).map((f) => f.itemIdentifier));
    } catch (err) {
      log('warn', 'delivery batch failed', errorFields(err));
    }
    const done = messages.filter((m) => !failed.has(m.MessageId!));
    if (!done.length) return;
    try {
      await sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: queueUrl,
          Entries: done.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! })),
        }),
      );
    } catch (err) {
      // The messages come back after their visibility timeout; delivery skips what it already delivered.
      if (running) log('warn', 'queue delete failed', errorFields(err));
    }
  }

  const loop = (async () => {
    while (running) {
      if (inFlight.size >= concurrency) {
        await Promise.race(inFlight);
        continue;
      }
      try {
        const res = await sqs.send(
          new ReceiveMessageCommand({
            QueueUrl: queueUrl,
            MaxNumberOfMessages: 10,
            WaitTimeSeconds: 1,
            MessageSystemAttributeNames: ['All'],
            MessageAttributeNames: ['All'],
          }),
        );
        const messages = res.Messages ?? [];
        if (!messages.length || !running) continue;
        const batch: Promise<void> = handleBatch(messages).finally(() => inFlight.delete(batch));
        inFlight.add(batch);
      } catch (err) {
        if (!running) break;
        log('warn', 'queue poll failed', errorFields(err));
        await new Promise<void>((r) => {
          wake = r;
          setTimeout(r, 500);
        });
      }
    }
  })();
  return {
    async stop() {
      running = false;
      wake?.();
      await loop;
      await Promise.allSettled([...inFlight]);
    },
  };
}
