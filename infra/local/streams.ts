import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type _Record,
} from '@aws-sdk/client-dynamodb-streams';
import type { Context, DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { errorFields, log } from '../../shared/platform/log.js';
import { lambdaContext } from './gateway.js';

type StreamHandler = (event: DynamoDBStreamEvent, ctx: Context) => Promise<DynamoDBBatchResponse | undefined>;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A Streams API record in the shape Lambda's DynamoDB event gives it. */
function lambdaRecord(r: _Record, streamArn: string): DynamoDBRecord {
  return {
    eventID: r.eventID,
    eventName: r.eventName as DynamoDBRecord['eventName'],
    eventVersion: r.eventVersion,
    eventSource: 'aws:dynamodb',
    awsRegion: r.awsRegion ?? 'us-east-1',
    eventSourceARN: streamArn,
    dynamodb: {
      ...(r.dynamodb?.Keys && { Keys: r.dynamodb.Keys as never }),
      ...(r.dynamodb?.NewImage && { NewImage: r.dynamodb.NewImage as never }),
      ...(r.dynamodb?.OldImage && { OldImage: r.dynamodb.OldImage as never }),
      SequenceNumber: r.dynamodb?.SequenceNumber,
      SizeBytes: r.dynamodb?.SizeBytes,
      StreamViewType: r.dynamodb?.StreamViewType as never,
      ...(r.dynamodb?.ApproximateCreationDateTime && {
        ApproximateCreationDateTime: Math.floor(r.dynamodb.ApproximateCreationDateTime.getTime() / 1000),
      }),
    },
  };
}

/**
 * The local stand-in for Lambda's DynamoDB stream event source: reads every
 * shard of the table's stream from its oldest record, in order, hands batches
 * of up to 100 records to the handler, and on a reported failure
 * (ReportBatchItemFailures) or a throw hands the batch again from the failed
 * record after a backoff, as Lambda does with unlimited retries: a record is
 * never skipped. Positions are kept in memory, per shard: after a restart of
 * the local stack the stream is read from its start again, which the
 * consumer tolerates (it is idempotent). A server that goes away (DynamoDB
 * Local stopped) is waited for and the shards found again.
 */
export function startStreamPoller(opts: {
  endpoint: string;
  region?: string;
  streamArn: string;
  handler: StreamHandler;
  /** Poll interval when a shard has nothing new (Lambda polls 4 times a second). */
  idleMs?: number;
}) {
  const client = new DynamoDBStreamsClient({
    region: opts.region ?? 'us-east-1',
    endpoint: opts.endpoint,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
  });
  const idleMs = opts.idleMs ?? 250;
  /** Last sequence number handled, per shard. */
  const done = new Map<string, string>();
  const closed = new Set<string>();
  let running = true;

  async function shardIterator(shardId: string): Promise<string | undefined> {
    const after = done.get(shardId);
    const res = await client.send(
      new GetShardIteratorCommand({
        StreamArn: opts.streamArn,
        ShardId: shardId,
        ShardIteratorType: after ? 'AFTER_SEQUENCE_NUMBER' : 'TRIM_HORIZON',
        ...(after ? { SequenceNumber: after } : {}),
      }),
    );
    return res.ShardIterator;
  }

  async function deliver(records: DynamoDBRecord[]): Promise<void> {
    let batch = records;
    for (let attempt = 0; batch.length && running; attempt++) {
      let failedSeq: string | undefined;
      try {
        const out = await opts.handler({ Records: batch }, lambdaContext('stream', `stream-${Date.now()}`));
        failedSeq = out?.batchItemFailures?.[0]?.itemIdentifier;
      } catch (err) {
        log('warn', 'stream batch failed', errorFields(err));
        failedSeq = batch[0].dynamodb?.SequenceNumber;
      }
      if (!failedSeq) return;
      const at = batch.findIndex((r) => r.dynamodb?.SequenceNumber === failedSeq);
      batch = at < 0 ? batch : batch.slice(at);
      await sleep(Math.min(5000, 200 * 2 ** Math.min(attempt, 5)));
    }
  }

  async function readShard(shardId: string): Promise<void> {
    let iterator = await shardIterator(shardId);
    while (running && iterator) {
      const res = await client.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 100 }));
      const records = (res.Records ?? []).map((r) => lambdaRecord(r, opts.streamArn));
      if (records.length) {
        await deliver(records);
        if (!running) return;
        done.set(shardId, String(records[records.length - 1].dynamodb?.SequenceNumber));
      }
      iterator = res.NextShardIterator;
      if (!iterator) closed.add(shardId);
      else if (!records.length) await sleep(idleMs);
    }
  }

  const loop = (async () => {
    while (running) {
      try {
        const desc = await client.send(new DescribeStreamCommand({ StreamArn: opts.streamArn }));
        const shards = (desc.StreamDescription?.Shards ?? []).map((s) => s.ShardId!).filter((id) => !closed.has(id));
        // Parents before children: DynamoDB Local rolls shards over; each is read to its end, in order.
        for (const id of shards) {
          if (!running) break;
          await readShard(id);
        }
        if (!shards.length) await sleep(idleMs);
      } catch (err) {
        if (!running) break;
        log('warn', 'stream poll failed', errorFields(err));
        await sleep(500);
      }
    }
  })();

  return {
    async stop() {
      running = false;
      await loop;
      client.destroy();
    },
  };
}
