import type { APIGatewayProxyEvent, Context } from 'aws-lambda';
import { beforeEach, describe, expect, it } from 'vitest';
import { generateKey, hashKey } from '../../shared/auth/apikey.js';
import { authorize, clearKeyCache, KEY_CACHE_TTL_S } from '../../shared/auth/authorize.js';
import { rateLimiter } from '../../shared/auth/rate-limit.js';
import { lambda } from '../../shared/http/lambda.js';
import { getDdb } from '../../shared/platform/clients.js';
import { DomainError } from '../../shared/platform/errors.js';
import { getApiKeyByHash, revokeApiKey } from '../../shared/store/apikeys.js';
import { api, newKey, newTenant } from '../support/api.js';
import { countDynamoRequests } from '../support/principal.js';
import { TOKEN_ROUTE_STUBS } from '../support/route-stubs.js';

/**
 * The key cache of a warm container (this process), against DynamoDB Local.
 * The clock is the test's: steps past KEY_CACHE_TTL_S without sleeping.
 * Keys revoked over HTTP are revoked by another process (the local stack):
 * for this container that is a revocation made elsewhere.
 */
const bearer = (key: string) => ({ Authorization: `Bearer ${key}` });

/** authorize() at a settable time, with the DynamoDB calls it made. */
function clockAt(start: number) {
  let now = start;
  return {
    advance: (ms: number) => {
      now += ms;
    },
    authorize: (key: string) => countDynamoRequests(() => authorize(bearer(key), () => now)),
  };
}

/** The refusal of a promise, as its kind and detail. */
async function refusal(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'allowed';
  } catch (err) {
    if (err instanceof DomainError) return `${err.kind}: ${err.message}`;
    throw err;
  }
}

beforeEach(async () => {
  await rateLimiter.idle();
  clearKeyCache();
});

describe('the key cache of a container', () => {
  it(`stops a key revoked elsewhere within KEY_CACHE_TTL_S (${KEY_CACHE_TTL_S} s)`, async () => {
    const t = await newTenant();
    const k = await newKey(t.adminKey, { kind: 'secret', scopes: ['keys:write'] });
    const clock = clockAt(Date.now());
    const first = await clock.authorize(k.key);
    expect(first.result.keyId).toBe(k.id);
    expect(first.commands.filter((c) => /Get/.test(c))).toHaveLength(1);

    expect((await api('DELETE', `/v1/keys/${k.id}`, { key: t.adminKey })).status).toBe(204);
    expect((await getApiKeyByHash(hashKey(k.key)))?.revokedAt).toEqual(expect.any(String));

    // Within the TTL this container still trusts what it read (the documented staleness), without a read.
    clock.advance(KEY_CACHE_TTL_S * 1000 - 1);
    const stale = await clock.authorize(k.key);
    expect(stale.result.keyId).toBe(k.id);
    expect(stale.commands.filter((c) => /Get/.test(c))).toHaveLength(0);

    // At the TTL it reads the key again and refuses it.
    clock.advance(1);
    expect(await refusal(clock.authorize(k.key))).toBe('unauthorized: This API key was revoked.');
  });

  it('stops a key revoked in this container at once', async () => {
    const t = await newTenant();
    const k = await newKey(t.adminKey, { kind: 'secret', scopes: ['keys:write'] });
    expect((await authorize(bearer(k.key))).keyId).toBe(k.id);
    expect(await revokeApiKey(t.id, k.id)).toBe(true);
    expect(await refusal(authorize(bearer(k.key)))).toBe('unauthorized: This API key was revoked.');
  });

  it('refuses an expired key at once, though cached', async () => {
    const t = await newTenant();
    const now = Date.now();
    const k = await newKey(t.adminKey, {
      kind: 'secret',
      scopes: ['keys:write'],
      expiresAt: new Date(now + 10_000).toISOString(),
    });
    const clock = clockAt(now);
    expect((await clock.authorize(k.key)).result.keyId).toBe(k.id);
    clock.advance(9_999);
    expect((await clock.authorize(k.key)).result.keyId).toBe(k.id);
    clock.advance(1);
    const calls = await countDynamoRequests(() => refusal(clock.authorize(k.key)));
    expect(calls.result).toBe('unauthorized: This API key has expired.');
    expect(calls.commands.filter((c) => /Get/.test(c))).toHaveLength(0);
  });

  it('remembers an unknown key for the TTL too', async () => {
    const unknown = generateKey('publishable').key;
    const clock = clockAt(Date.now());
    const reads = async () => {
      const r = await countDynamoRequests(() => refusal(clock.authorize(unknown)));
      expect(r.result).toBe('unauthorized: Unknown API key.');
      return r.requests;
    };
    expect(await reads()).toBe(1);
    clock.advance(KEY_CACHE_TTL_S * 1000 - 1);
    expect(await reads()).toBe(0);
    clock.advance(1);
    expect(await reads()).toBe(1);
  });

  it('reads a key once per TTL at steady load: 3 × 30 s of requests, 100 per second', async () => {
    const t = await newTenant();
    const k = await newKey(t.adminKey, { kind: 'secret', scopes: ['keys:write'], rateLimit: { rps: 200, burst: 400 } });
    const clock = clockAt(Date.now());
    let reads = 0;
    let allowed = 0;
    const requests = (3 * KEY_CACHE_TTL_S * 1000) / 10;
    for (let i = 0; i < requests; i++) {
      const { result, commands } = await clock.authorize(k.key);
      if (result.keyId === k.id) allowed++;
      reads += commands.filter((c) => /Get/.test(c)).length;
      clock.advance(10);
    }
    await rateLimiter.idle();
    expect(allowed).toBe(requests);
    expect(reads).toBe(3);
    expect(reads / requests).toBeLessThanOrEqual(0.1);
  });
});

describe('a dependency failure in authorization', () => {
  const stores = lambda('keys', {
    createKey: async () => ({ status: 201, body: {} }),
    listKeys: async () => ({ body: { items: [] } }),
    revokeKey: async () => ({ status: 204 }),
    ...TOKEN_ROUTE_STUBS,
  });
  const listKeys = (key: string) =>
    stores(
      {
        httpMethod: 'GET',
        resource: '/v1/keys',
        path: '/v1/keys',
        headers: { ...bearer(key), 'X-Request-Id': 'auth-503' },
        requestContext: { requestId: 'gw-503' },
        body: null,
        isBase64Encoded: false,
        pathParameters: null,
        queryStringParameters: null,
      } as unknown as APIGatewayProxyEvent,
      { functionName: 'keys', awsRequestId: 'l-503' } as Context,
    );

  it('answers 503 with Retry-After, not 401, and is not cached', async () => {
    const t = await newTenant();
    const k = await newKey(t.adminKey, { kind: 'secret', scopes: ['keys:write'] });
    const name = 'fail-key-reads';
    getDdb().middlewareStack.add(
      (next: any, context: any) => async (args: any) => {
        if (/Get/.test(String(context.commandName)))
          throw Object.assign(new Error('injected: service unavailable'), {
            name: 'ServiceUnavailable',
            $metadata: { httpStatusCode: 503 },
          });
        return next(args);
      },
      { step: 'initialize', name },
    );
    let res: Awaited<ReturnType<typeof listKeys>>;
    try {
      res = await listKeys(k.key);
    } finally {
      getDdb().middlewareStack.remove(name);
    }
    expect(res.statusCode).toBe(503);
    expect(res.headers).toMatchObject({ 'Content-Type': 'application/problem+json', 'X-Request-Id': 'auth-503' });
    expect(Number(res.headers?.['Retry-After'])).toBeGreaterThanOrEqual(1);
    expect(JSON.parse(res.body)).toMatchObject({ status: 503 });
    // The failure was not kept: the next request reads the key and passes.
    expect((await listKeys(k.key)).statusCode).toBe(200);
  });
});
