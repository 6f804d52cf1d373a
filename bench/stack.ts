/**
 * The local stack, in this process, so that the DynamoDB meter sees every
 * call: the backends of infra/local/stack.ts (DynamoDB Local in memory, the
 * SQS server), then the pieces infra/local/main.ts wires — the function
 * handlers, the gateway, the SQS delivery poller and the DynamoDB stream
 * poller — with every handler wrapped to measure its invocation: wall time
 * (what Lambda bills), DynamoDB calls, rounds and capacity, SQS calls.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { type DdbMeter, installMeter, type RequestCost } from '../test/support/ddb-meter.js';

/** One measured Lambda invocation. */
export interface Invocation {
  fn: string;
  ms: number;
  memoryMb: number;
  ddb: RequestCost;
  sqs: RequestCost;
  /** Records in the event (SQS and stream batches). */
  records: number;
  /**
   * Stream batches: the records the deployed event source's filter lets
   * through (new items carrying `outbox`, infra/aws/stack.ts). Locally every
   * record reaches the function; on AWS a batch without any is never invoked.
   */
  outboxRecords?: number;
}

/** SQS requests as billed: empty long polls apart (on AWS the event source's pollers make those whatever the traffic). */
export interface SqsCounts {
  sends: number;
  sentMessages: number;
  receivesWithMessages: number;
  emptyReceives: number;
  deletes: number;
  visibilityChanges: number;
  other: number;
}

export interface BenchStack {
  apiUrl: string;
  tableName: string;
  ddb: DdbMeter;
  sqs: DdbMeter;
  /** The invocations of one HTTP request (by its X-Request-Id), removed once taken. */
  takeInvocations(requestId: string): Invocation[];
  /** Background invocations (delivery, stream) since the last call, removed once taken. */
  takeBackground(): Invocation[];
  sqsCounts(): SqsCounts;
  /** Background batches (stream, delivery) that threw or reported failed records, by function, since the start. */
  failedBatches(): Record<string, number>;
  /** Wait until no background invocation (stream, delivery) ended for `idleMs`, at most `maxMs`; false if it never went quiet. */
  quiet(idleMs: number, maxMs: number): Promise<boolean>;
  stop(): Promise<void>;
}

/** What the wrappers see of an event: its records (SQS, stream) or its headers (HTTP). */
interface AnyEvent {
  Records?: { eventName?: string; dynamodb?: { NewImage?: Record<string, { S?: string }> } }[];
  headers?: Record<string, string | undefined> | null;
}
type AnyHandler = (event: AnyEvent, ctx: unknown) => Promise<unknown>;

/** The part of an SDK client's middleware stack the SQS counter uses. */
interface CountingStack {
  add(
    mw: (
      next: (args: { input?: { Entries?: unknown[] } }) => Promise<{ output?: { Messages?: unknown[] } }>,
      context: { commandName?: string },
    ) => (args: { input?: { Entries?: unknown[] } }) => Promise<{ output?: { Messages?: unknown[] } }>,
    opts: { step: 'initialize'; name: string },
  ): void;
}

/** The deployed stream trigger's filter: INSERTs whose new image has a string `outbox` attribute. */
function passesOutboxFilter(r: { eventName?: string; dynamodb?: { NewImage?: Record<string, { S?: string }> } }): boolean {
  return r.eventName === 'INSERT' && typeof r.dynamodb?.NewImage?.outbox?.S === 'string';
}

export async function startBenchStack(dataDir: string): Promise<BenchStack> {
  process.env.DYNAMODB_IN_MEMORY = '1';
  const { functionEnvironment, startBackends } = await import('../infra/local/stack.js');
  const backends = await startBackends({ dataDir, tableName: 'geo-offers' });
  // The handlers read their configuration from the environment, as on AWS (as main.ts sets it).
  Object.assign(process.env, functionEnvironment(backends, dataDir), { DELIVERY_BACKOFF_BASE_S: '1' });

  const { loadFunctions } = await import('../infra/local/functions.js');
  const { createGateway } = await import('../infra/local/gateway.js');
  const { startPoller } = await import('../infra/local/poller.js');
  const { startStreamPoller } = await import('../infra/local/streams.js');
  const { getDdb, getSqs } = await import('../shared/platform/clients.js');
  const { settingsFor } = await import('../infra/aws/functions.js');

  const ddb = installMeter(getDdb());
  const sqs = installMeter(getSqs());
  const counts: SqsCounts = {
    sends: 0,
    sentMessages: 0,
    receivesWithMessages: 0,
    emptyReceives: 0,
    deletes: 0,
    visibilityChanges: 0,
    other: 0,
  };
  (getSqs().middlewareStack as unknown as CountingStack).add(
    (next, context) => async (args) => {
      const out = await next(args);
      const c = String(context.commandName).replace(/Command$/, '');
      if (c === 'ReceiveMessage') {
        if (out?.output?.Messages?.length) counts.receivesWithMessages++;
        else counts.emptyReceives++;
      } else if (c === 'SendMessage' || c === 'SendMessageBatch') {
        counts.sends++;
        counts.sentMessages += c === 'SendMessage' ? 1 : (args.input?.Entries?.length ?? 0);
      } else if (c === 'DeleteMessage' || c === 'DeleteMessageBatch') counts.deletes++;
      else if (c === 'ChangeMessageVisibility' || c === 'ChangeMessageVisibilityBatch') counts.visibilityChanges++;
      else counts.other++;
      return out;
    },
    { step: 'initialize', name: 'bench-sqs-counts' },
  );

  const memoryOf = (fn: string) => {
    try {
      return settingsFor(fn as never).memoryMb;
    } catch {
      return 512;
    }
  };
  let lastBackgroundAt = performance.now();
  const touch = () => {
    lastBackgroundAt = performance.now();
  };

  const byRequest = new Map<string, Invocation[]>();
  let background: Invocation[] = [];

  const measure = async (
    fn: string,
    event: AnyEvent,
    run: () => Promise<unknown>,
  ): Promise<{ inv: Invocation; result: unknown }> => {
    const t0 = performance.now();
    const d = await ddb.request(fn, () => sqs.request(fn, run));
    const ms = performance.now() - t0;
    const { result: s, ...ddbCost } = d;
    const { result, ...sqsCost } = s;
    return {
      inv: { fn, ms, memoryMb: memoryOf(fn), ddb: ddbCost, sqs: sqsCost, records: event?.Records?.length ?? 1 },
      result,
    };
  };
  const requestIdOf = (event: AnyEvent): string | undefined => {
    for (const [k, v] of Object.entries(event?.headers ?? {})) if (k.toLowerCase() === 'x-request-id') return String(v);
    return undefined;
  };
  const wrapHttp =
    (fn: string, h: AnyHandler): AnyHandler =>
    async (event, ctx) => {
      const { inv, result } = await measure(fn, event, () => h(event, ctx));
      const id = requestIdOf(event);
      if (id) byRequest.set(id, [...(byRequest.get(id) ?? []), inv]);
      return result;
    };
  /** Background batches that failed (threw or reported records as failed), by function: the event source hands them again. */
  const failedBatches: Record<string, number> = {};
  const wrapBackground =
    (fn: string, h: AnyHandler): AnyHandler =>
    async (event, ctx) => {
      let failed = true;
      try {
        const { inv, result } = await measure(fn, event, () => h(event, ctx));
        if (fn === 'stream') inv.outboxRecords = (event?.Records ?? []).filter(passesOutboxFilter).length;
        background.push(inv);
        failed = ((result as { batchItemFailures?: unknown[] } | undefined)?.batchItemFailures?.length ?? 0) > 0;
        return result;
      } finally {
        if (failed) failedBatches[fn] = (failedBatches[fn] ?? 0) + 1;
        touch();
      }
    };

  const fns = (await loadFunctions()) as unknown as {
    http: Record<string, AnyHandler>;
    deliver: AnyHandler;
    stream: AnyHandler;
  };
  const http: Record<string, AnyHandler> = {};
  for (const [name, h] of Object.entries(fns.http)) http[name] = wrapHttp(name, h);
  const server: Server = createGateway({ handlers: http as unknown as Parameters<typeof createGateway>[0]['handlers'] });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const poller = startPoller(
    getSqs(),
    backends.offersQueueUrl,
    backends.offersQueueArn,
    wrapBackground('deliver', fns.deliver) as unknown as Parameters<typeof startPoller>[3],
  );

  // The outbox: the table's stream → the `stream` function (new offers → SQS, stats aggregated), as main.ts wires it.
  const outbox = startStreamPoller({
    endpoint: backends.dynamoEndpoint,
    streamArn: backends.streamArn,
    handler: wrapBackground('stream', fns.stream) as unknown as Parameters<typeof startStreamPoller>[0]['handler'],
  });
  return {
    apiUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    tableName: backends.tableName,
    ddb,
    sqs,
    takeInvocations(id) {
      const out = byRequest.get(id) ?? [];
      byRequest.delete(id);
      return out;
    },
    takeBackground() {
      const out = background;
      background = [];
      return out;
    },
    sqsCounts: () => ({ ...counts }),
    failedBatches: () => ({ ...failedBatches }),
    async quiet(idleMs, maxMs) {
      const t0 = performance.now();
      while (performance.now() - t0 < maxMs) {
        if (performance.now() - lastBackgroundAt >= idleMs) return true;
        await new Promise((r) => setTimeout(r, 100));
      }
      return false;
    },
    async stop() {
      await outbox.stop().catch(() => undefined);
      await poller.stop().catch(() => undefined);
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
      ddb.uninstall();
      sqs.uninstall();
      await backends.stop();
    },
  };
}
