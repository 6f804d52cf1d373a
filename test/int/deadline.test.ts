import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import net from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { handler as stores } from '../../functions/stores.js';
import {
  getDdb,
  makeDynamoClient,
  makeSqsClient,
  SDK_CONNECTION_TIMEOUT_MS,
  SDK_MAX_ATTEMPTS,
  SDK_REQUEST_TIMEOUT_MS,
  setClients,
} from '../../shared/platform/clients.js';
import { IDEMPOTENCY_LEASE_S, outsideRequest } from '../../shared/platform/deadline.js';
import { isDependencyUnavailable } from '../../shared/platform/errors.js';
import { newId } from '../../shared/platform/ids.js';
import { table } from '../../shared/store/db.js';
import { newTenant } from '../support/api.js';

/**
 * Deadlines against the real stack: a DynamoDB call that hangs (SDK middleware
 * on the real client holds a chosen command), and an endpoint that accepts
 * connections and never answers, which is what a frozen (SIGSTOPped) server
 * looks like to a client: the kernel completes the handshake, nothing replies.
 */

const DEADLINE_MS = 800;
/** Time allowed past the deadline for the 503 to leave (timer and event-loop slack on a loaded machine). */
const SLACK_MS = 500;

let savedDeadline: string | undefined;
const cleanups: (() => unknown)[] = [];
beforeEach(() => {
  savedDeadline = process.env.REQUEST_DEADLINE_MS;
  process.env.REQUEST_DEADLINE_MS = String(DEADLINE_MS);
});
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
  if (savedDeadline === undefined) delete process.env.REQUEST_DEADLINE_MS;
  else process.env.REQUEST_DEADLINE_MS = savedDeadline;
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Hold the calls of the shared DynamoDB client that `chosen` picks (by
 * command name and input) until released; every other call goes through.
 * Returns the release and the commands held.
 */
function holdDynamoCalls(chosen: (command: string, input: Record<string, any>) => boolean) {
  const heldCommands: string[] = [];
  let release!: () => void;
  const held = new Promise<void>((r) => (release = r));
  const name = `hold-${Math.random()}`;
  const stack = getDdb().middlewareStack;
  stack.add(
    (next, context) => async (args) => {
      const command = String(context.commandName);
      if (chosen(command, args.input as Record<string, any>)) {
        heldCommands.push(command);
        await held;
      }
      return next(args);
    },
    { step: 'initialize', name },
  );
  cleanups.push(() => {
    release();
    stack.remove(name);
  });
  return { release, heldCommands };
}

/** The write of the store named `name` (its item carries the name). */
const storeWrite = (name: string) => (command: string, input: Record<string, any>) =>
  command === 'PutItemCommand' && input.Item?.name === name;

/** A TCP server on loopback that accepts every connection and never answers. */
async function silentServer() {
  const opened: number[] = [];
  const closed: number[] = [];
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    opened.push(Date.now());
    sockets.add(socket);
    socket.on('data', () => undefined);
    socket.on('close', () => {
      closed.push(Date.now());
      sockets.delete(socket);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  cleanups.push(
    () =>
      new Promise((r) => {
        for (const s of sockets) s.destroy();
        server.close(r);
      }),
  );
  const { port } = server.address() as net.AddressInfo;
  return { endpoint: `http://127.0.0.1:${port}`, opened, closed };
}

const lambdaContext = () => {
  const end = Date.now() + 10_000;
  return {
    functionName: 'stores',
    awsRequestId: newId('inv'),
    getRemainingTimeInMillis: () => end - Date.now(),
  } as unknown as Context;
};

/** A request to the stores function as API Gateway hands it over, with the tenant's admin key. */
function storesEvent(key: string, over: Partial<APIGatewayProxyEvent> & { headers?: Record<string, string> } = {}) {
  return {
    httpMethod: 'GET',
    resource: '/v1/stores',
    path: '/v1/stores',
    body: null,
    isBase64Encoded: false,
    pathParameters: null,
    queryStringParameters: null,
    requestContext: { requestId: newId('gw') },
    ...over,
    headers: { authorization: `Bearer ${key}`, ...over.headers },
  } as unknown as APIGatewayProxyEvent;
}

async function timed(p: Promise<APIGatewayProxyResult>) {
  const start = Date.now();
  const res = await p;
  return { res, ms: Date.now() - start };
}

function expect503(res: APIGatewayProxyResult) {
  expect(res.statusCode).toBe(503);
  expect(res.headers?.['Content-Type']).toBe('application/problem+json');
  expect(res.headers?.['Retry-After']).toBe(String(IDEMPOTENCY_LEASE_S));
  expect(JSON.parse(res.body)).toMatchObject({
    type: 'https://errors.geo-offers.dev/unavailable',
    title: 'Service Unavailable',
    status: 503,
  });
}

const createStore = (key: string, name: string, idempotencyKey?: string) =>
  stores(
    storesEvent(key, {
      httpMethod: 'POST',
      headers: {
        'Content-Type': 'application/json',
        'X-Request-Id': `create-${name}`,
        ...(idempotencyKey ? { 'Idempotency-Key': idempotencyKey } : {}),
      },
      body: JSON.stringify({ name, location: { lat: 36.72, lng: -4.42 }, timezone: 'Europe/Madrid' }),
    }),
    lambdaContext(),
  );

/** A first request with the key, under the full deadline: the container reads the key and keeps it, the route is warm. */
async function warm(key: string) {
  delete process.env.REQUEST_DEADLINE_MS;
  try {
    expect(await storeNames(key)).toEqual([]);
  } finally {
    process.env.REQUEST_DEADLINE_MS = String(DEADLINE_MS);
  }
}

const storeNames = async (key: string): Promise<string[]> => {
  const res = await stores(storesEvent(key), lambdaContext());
  expect(res.statusCode).toBe(200);
  return JSON.parse(res.body).items.map((s: { name: string }) => s.name);
};

describe('a hung DynamoDB call', () => {
  it('makes a real route answer 503 with Retry-After = the idempotency lease, at the deadline', async () => {
    const t = await newTenant();
    await warm(t.adminKey);
    const hold = holdDynamoCalls(storeWrite('hung'));
    const { res, ms } = await timed(createStore(t.adminKey, 'hung'));
    expect(hold.heldCommands).toEqual(['PutItemCommand']);
    expect503(res);
    expect(res.headers?.['X-Request-Id']).toBe('create-hung');
    expect(ms).toBeGreaterThanOrEqual(DEADLINE_MS - 5);
    expect(ms).toBeLessThan(DEADLINE_MS + SLACK_MS);
  });

  it('writes nothing once the deadline has passed, and keeps the Idempotency-Key claimed meanwhile', async () => {
    const t = await newTenant();
    const key = newId('idem');
    await warm(t.adminKey);
    const hold = holdDynamoCalls(storeWrite('held'));
    const { res, ms } = await timed(createStore(t.adminKey, 'held', key));
    expect503(res);
    expect(ms).toBeLessThan(DEADLINE_MS + SLACK_MS);

    // The held write goes on after the 503: it is cut, nothing is stored.
    hold.release();
    await sleep(200);
    expect(hold.heldCommands).toEqual(['PutItemCommand']);
    expect(await storeNames(t.adminKey)).toEqual([]);
    // A retry before Retry-After finds the claim of the request that timed out.
    const retry = await createStore(t.adminKey, 'held', key);
    expect(retry.statusCode).toBe(409);
    expect(JSON.parse(retry.body).type).toBe('https://errors.geo-offers.dev/idempotency-in-flight');
  });

  it('leaves the next request alone once the dependency answers again', async () => {
    const t = await newTenant();
    await warm(t.adminKey);
    const hold = holdDynamoCalls(storeWrite('first'));
    expect503(await createStore(t.adminKey, 'first', newId('idem')));
    hold.release();
    const again = await createStore(t.adminKey, 'second', newId('idem'));
    expect(again.statusCode).toBe(201);
    await sleep(100);
    expect(await storeNames(t.adminKey)).toEqual(['second']);
  });
});

/** A DynamoDB attribute as the SDK sends it (marshalled) or as the document client takes it. */
const attr = (v: unknown) => (v && typeof v === 'object' && 'S' in v ? (v as { S: string }).S : v);

/**
 * Fault injection on the shared client, for the claims of Idempotency-Key `idemKey` (the PutItems that write its
 * in-flight record):
 *  - the first claim is held until `release()`, then sent outside its request's deadline, so that it is written
 *    after the request has answered 503 (as a call cut at the deadline that the table had already received);
 *  - every later claim reaches the table on its first attempt and is written, but that attempt's answer is lost
 *    (a TimeoutError, as on a request timeout): the SDK sends the same PutItem again.
 */
function lateThenLostClaims(idemKey: string) {
  const claims: Record<string, unknown>[] = [];
  const attempts: number[] = [];
  let release!: () => void;
  const held = new Promise<void>((r) => (release = r));
  let firstWritten!: () => void;
  const written = new Promise<void>((r) => (firstWritten = r));
  const name = `late-then-lost-${Math.random()}`;
  const stack = getDdb().middlewareStack;
  stack.add(
    (next, context) => async (args) => {
      const item = (args.input as { Item?: Record<string, unknown> }).Item;
      if (context.commandName !== 'PutItemCommand' || attr(item?.sk) !== `I#${idemKey}` || attr(item?.state) !== 'in_flight')
        return next(args);
      const c = context as { claim?: number; attempt?: number };
      c.claim ??= claims.push(Object.fromEntries(Object.entries(item!).map(([k, v]) => [k, attr(v)])));
      c.attempt = (c.attempt ?? 0) + 1;
      if (c.claim === 1) {
        await held;
        const out = await outsideRequest(() => next(args));
        firstWritten();
        return out;
      }
      attempts.push(c.attempt);
      const out = await next(args);
      if (c.attempt === 1)
        throw Object.assign(new Error('answer to the claim lost (injected)'), { name: 'TimeoutError', $metadata: {} });
      return out;
    },
    // Inside the SDK's retry loop (one call per attempt), before the response is read.
    { step: 'deserialize', priority: 'high', name },
  );
  cleanups.push(() => {
    release();
    stack.remove(name);
  });
  return { claims, attempts, release, written };
}

describe('a request that answered 503 with an Idempotency-Key', () => {
  it('is replayed or run afresh by a retry after Retry-After, never a 409, even when its claim was written after its 503', async () => {
    const t = await newTenant();
    const key = newId('idem');
    await warm(t.adminKey);
    const faults = lateThenLostClaims(key);
    // The claim hangs: the request answers 503 at its deadline.
    const first = await createStore(t.adminKey, 'retried', key);
    const answeredAt = Date.now();
    expect503(first);
    const retryAfterMs = Number(first.headers?.['Retry-After']) * 1000;

    // Now the claim is written (after the 503): the lease it holds ends no later than a retry may come.
    faults.release();
    await faults.written;
    const [claim] = faults.claims;
    const stored = await getDdb().send(
      new GetCommand({ TableName: table(), Key: { pk: claim.pk, sk: claim.sk }, ConsistentRead: true }),
    );
    expect(stored.Item).toMatchObject({ state: 'in_flight', lease: claim.lease });
    expect(stored.Item?.leaseUntil).toBeLessThanOrEqual(answeredAt + retryAfterMs);
    expect(await storeNames(t.adminKey)).toEqual([]);

    // The retry, Retry-After seconds after the 503, under the full deadline; its own claim is sent twice by the SDK.
    await sleep(answeredAt + retryAfterMs - Date.now());
    delete process.env.REQUEST_DEADLINE_MS;
    const retry = await createStore(t.adminKey, 'retried', key);
    expect(faults.attempts).toEqual([1, 2]);
    expect({ status: retry.statusCode, replayed: retry.headers?.['Idempotent-Replayed'] }).toEqual({
      status: 201,
      replayed: undefined,
    });
    expect(await storeNames(t.adminKey)).toEqual(['retried']);
    // And the next retry replays it.
    const replay = await createStore(t.adminKey, 'retried', key);
    expect({ status: replay.statusCode, replayed: replay.headers?.['Idempotent-Replayed'], body: replay.body }).toEqual({
      status: 201,
      replayed: 'true',
      body: retry.body,
    });
    expect(await storeNames(t.adminKey)).toEqual(['retried']);
  }, 30_000);
});

describe('a DynamoDB endpoint that accepts connections and never answers', () => {
  it('makes a real route answer 503 at the deadline and closes the connection then', async () => {
    const t = await newTenant();
    // The key is read before the server freezes: the frozen server sees the request's own calls.
    await warm(t.adminKey);
    const server = await silentServer();
    const shared = getDdb();
    setClients({ ddb: makeDynamoClient(server.endpoint, 'us-east-1') });
    cleanups.push(() => setClients({ ddb: shared }));
    const start = Date.now();
    const { res, ms } = await timed(createStore(t.adminKey, 'frozen', newId('idem')));
    expect503(res);
    expect(ms).toBeGreaterThanOrEqual(DEADLINE_MS - 5);
    expect(ms).toBeLessThan(DEADLINE_MS + SLACK_MS);
    await sleep(100);
    // One connection, cut at the deadline: no retry after it.
    expect(server.opened).toHaveLength(1);
    expect(server.closed).toHaveLength(1);
    expect(server.closed[0] - start).toBeLessThan(DEADLINE_MS + SLACK_MS);
  });

  it('is an error of the SDK within (connection + request timeout) × attempts, outside any request', async () => {
    const dynamo = await silentServer();
    const queue = await silentServer();
    const ddb = makeDynamoClient(dynamo.endpoint, 'us-east-1');
    const sqs = makeSqsClient(queue.endpoint, 'us-east-1');
    const bound = (SDK_CONNECTION_TIMEOUT_MS + SDK_REQUEST_TIMEOUT_MS) * SDK_MAX_ATTEMPTS;
    const call = async (send: () => Promise<unknown>) => {
      const start = Date.now();
      const error = await send().then(
        () => undefined,
        (e: unknown) => e,
      );
      return { error: error as Error & { $metadata?: { attempts?: number } }, ms: Date.now() - start };
    };
    const [d, s] = await Promise.all([
      call(() => ddb.send(new GetCommand({ TableName: 'offers', Key: { pk: 'a', sk: 'b' } }))),
      call(() => sqs.send(new SendMessageCommand({ QueueUrl: `${queue.endpoint}/000000000000/offers`, MessageBody: '{}' }))),
    ]);
    for (const [r, server] of [
      [d, dynamo],
      [s, queue],
    ] as const) {
      expect(r.error?.name).toBe('TimeoutError');
      expect(isDependencyUnavailable(r.error)).toBe(true);
      expect(server.opened).toHaveLength(SDK_MAX_ATTEMPTS);
      // Every attempt waited its full request timeout, and the whole call stayed within the bound.
      expect(r.ms).toBeGreaterThanOrEqual(SDK_REQUEST_TIMEOUT_MS * SDK_MAX_ATTEMPTS - 50);
      expect(r.ms).toBeLessThan(bound);
    }
  }, 30_000);
});
