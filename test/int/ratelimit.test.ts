import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { RateLimiter, rateLimiter, SYNC_INTERVAL_MS, syncBatch, WINDOW_MS } from '../../shared/auth/rate-limit.js';
import { lambda } from '../../shared/http/lambda.js';
import { getDdb } from '../../shared/platform/clients.js';
import { queryPartition } from '../../shared/store/db.js';
import { rateLimitPartition } from '../../shared/store/ratelimit.js';
import { newKey, newTenant, unique } from '../support/api.js';
import { countDynamoRequests, pool } from '../support/principal.js';
import { TOKEN_ROUTE_STUBS } from '../support/route-stubs.js';

/**
 * The rate limit as the functions run it, in this process (one container)
 * against DynamoDB Local: the pipeline of a function whose handlers do no
 * DynamoDB work of their own, so every call counted is authorization's.
 */
const keys = lambda('keys', {
  createKey: async () => ({ status: 201, body: {} }),
  listKeys: async ({ principal }) => ({ body: { items: [], keyId: principal.keyId } }),
  revokeKey: async () => ({ status: 204 }),
  ...TOKEN_ROUTE_STUBS,
});

let n = 0;
function listKeys(key: string): Promise<APIGatewayProxyResult> {
  const event = {
    httpMethod: 'GET',
    resource: '/v1/keys',
    path: '/v1/keys',
    headers: { Authorization: `Bearer ${key}` },
    multiValueHeaders: {},
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    pathParameters: null,
    stageVariables: null,
    requestContext: { requestId: `rl-${n++}` },
    body: null,
    isBase64Encoded: false,
  } as unknown as APIGatewayProxyEvent;
  return keys(event, { functionName: 'keys', awsRequestId: `rl-${n}` } as Context);
}

/** Every request of a key the window items counted, over all containers. */
async function reported(keyId: string): Promise<number> {
  const items = await queryPartition(rateLimitPartition(keyId));
  return items.reduce((sum, i) => sum + Number(i.admitted ?? 0), 0);
}

/** Make every DynamoDB call whose command name matches fail (or wait) while `fn` runs: fault injection on the real client. */
async function withFault<T>(match: RegExp, fault: { fail: true } | { delayMs: number }, fn: () => Promise<T>): Promise<T> {
  const name = `fault-${Math.random()}`;
  getDdb().middlewareStack.add(
    (next: any, context: any) => async (args: any) => {
      if (match.test(String(context.commandName))) {
        if ('fail' in fault)
          throw Object.assign(new Error('injected: service unavailable'), {
            name: 'ServiceUnavailable',
            $metadata: { httpStatusCode: 503 },
          });
        await new Promise((r) => setTimeout(r, fault.delayMs));
      }
      return next(args);
    },
    { step: 'initialize', name },
  );
  try {
    return await fn();
  } finally {
    getDdb().middlewareStack.remove(name);
  }
}

const keyIdOf = (res: APIGatewayProxyResult) => JSON.parse(res.body).keyId as string;

describe('the rate limit in the function', () => {
  it('costs one key read and a handful of writes for 1,000 requests of one key, and counts every request', async () => {
    const t = await newTenant();
    const limit = { rps: 2000, burst: 4000 };
    const k = await newKey(t.adminKey, { kind: 'secret', scopes: ['keys:write'], rateLimit: limit });
    const started = Date.now();
    const { result: statuses, commands } = await countDynamoRequests(async () => {
      const got: number[] = [];
      await pool(
        Array.from({ length: 1000 }, (_, i) => i),
        8,
        async () => {
          // Each request arrives on its own turn of the event loop, as invocations and HTTP requests do.
          await new Promise((r) => setImmediate(r));
          got.push((await listKeys(k.key)).statusCode);
        },
      );
      await rateLimiter.idle();
      return got;
    });
    const elapsed = Date.now() - started;
    expect(statuses.filter((s) => s === 200)).toHaveLength(1000);
    const reads = commands.filter((c) => /Get/.test(c)).length;
    const writes = commands.filter((c) => /Update/.test(c)).length;
    expect(reads).toBe(1);
    expect(commands).toHaveLength(reads + writes);
    // At most one sync per interval, one per new window and one per batch of a tenth of a window's allowance.
    const bound = 1 + Math.ceil(elapsed / SYNC_INTERVAL_MS) + Math.ceil(elapsed / WINDOW_MS) + Math.ceil(1000 / syncBatch(limit));
    expect(writes).toBeLessThanOrEqual(bound);
    expect(commands.length / 1000).toBeLessThanOrEqual(0.1);

    // One more request once the interval is up reports what was left: the window items count all 1,001.
    await new Promise((r) => setTimeout(r, SYNC_INTERVAL_MS));
    const last = await listKeys(k.key);
    expect(last.statusCode).toBe(200);
    await rateLimiter.idle();
    expect(await reported(keyIdOf(last))).toBe(1001);
  });

  it("answers a burst over the key's limit with 429 and Retry-After, as one bucket would", async () => {
    const t = await newTenant();
    const k = await newKey(t.adminKey, { kind: 'secret', scopes: ['keys:write'], rateLimit: { rps: 5, burst: 10 } });
    const results = await Promise.all(Array.from({ length: 30 }, () => listKeys(k.key)));
    const ok = results.filter((r) => r.statusCode === 200);
    const limited = results.filter((r) => r.statusCode === 429);
    expect(ok.length).toBeGreaterThanOrEqual(10);
    expect(ok.length).toBeLessThanOrEqual(11);
    expect(ok.length + limited.length).toBe(30);
    for (const r of limited) {
      expect(r.headers).toMatchObject({ 'Content-Type': 'application/problem+json', 'X-Request-Id': expect.any(String) });
      expect(Number(r.headers?.['Retry-After'])).toBeGreaterThanOrEqual(1);
      expect(JSON.parse(r.body)).toMatchObject({ status: 429, type: expect.stringContaining('rate-limited') });
    }
    await rateLimiter.idle();
  });

  it('never waits for a rate-limit write: a slow one does not slow requests', async () => {
    const t = await newTenant();
    const k = await newKey(t.adminKey, { kind: 'secret', scopes: ['keys:write'] });
    expect((await listKeys(k.key)).statusCode).toBe(200); // the key is read and cached
    await rateLimiter.idle();
    await new Promise((r) => setTimeout(r, SYNC_INTERVAL_MS));
    const took = await withFault(/Update/, { delayMs: 1500 }, async () => {
      const from = Date.now();
      for (let i = 0; i < 20; i++) expect((await listKeys(k.key)).statusCode).toBe(200);
      const ms = Date.now() - from;
      await rateLimiter.idle();
      return ms;
    });
    expect(took).toBeLessThan(1000);
  });

  it('fails no request when its writes fail, limits by the local bucket meanwhile, and reports the counts later', async () => {
    const t = await newTenant();
    const k = await newKey(t.adminKey, { kind: 'secret', scopes: ['keys:write'], rateLimit: { rps: 5, burst: 10 } });
    const during = await withFault(/Update/, { fail: true }, async () => {
      const results = await Promise.all(Array.from({ length: 15 }, () => listKeys(k.key)));
      await rateLimiter.idle();
      return results.map((r) => r.statusCode);
    });
    expect(during.filter((s) => s === 200).length).toBeGreaterThanOrEqual(10);
    expect(during.filter((s) => s === 200).length).toBeLessThanOrEqual(11);
    expect(during.filter((s) => s !== 200 && s !== 429)).toEqual([]);
    const admittedDuring = during.filter((s) => s === 200).length;
    // Back up: the next sync carries what could not be sent.
    await new Promise((r) => setTimeout(r, 1000));
    const after = await listKeys(k.key);
    expect(after.statusCode).toBe(200);
    await rateLimiter.idle();
    expect(await reported(keyIdOf(after))).toBe(admittedDuring + 1);
  });
});

describe('containers of one key', () => {
  /** A time in the middle of a window well ahead of the clock: items of its own, no refill while the test runs. */
  const future = (Math.floor(Date.now() / WINDOW_MS) + 3600) * WINDOW_MS + WINDOW_MS / 2;

  it("share one window: together they admit about one bucket's worth, where each alone would admit its own", async () => {
    const keyId = unique('key_fleet');
    const limit = { rps: 10, burst: 20 };
    const containers = [new RateLimiter(), new RateLimiter(), new RateLimiter()];
    let admitted = 0;
    for (let i = 0; i < 90; i++) {
      const c = containers[i % 3];
      if (c.take(keyId, limit, future) === 0) admitted++;
      await c.idle();
    }
    // The window allows rps × 1 s + burst = 30; alone, each would admit its burst of 20 (60 in all).
    expect(admitted).toBeGreaterThanOrEqual(30);
    expect(admitted).toBeLessThanOrEqual(30 + 3);
    expect(await reported(keyId)).toBeLessThanOrEqual(admitted);

    // The next window starts with the burst spent: about rps more, not another burst.
    let next = 0;
    for (let i = 0; i < 90; i++) {
      const c = containers[i % 3];
      if (c.take(keyId, limit, future + WINDOW_MS) === 0) next++;
      await c.idle();
    }
    expect(next).toBeLessThanOrEqual(10 + 3);
    // The refusals name the end of the window.
    expect(containers[0].take(keyId, limit, future + WINDOW_MS + 100)).toBe(WINDOW_MS / 2 - 100);
  });
});
