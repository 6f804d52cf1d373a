import type { APIGatewayProxyEvent, Context } from 'aws-lambda';
import { afterEach, describe, expect, it } from 'vitest';
import type { Principal } from '../../../shared/auth/principal.js';
import { lambda } from '../../../shared/http/lambda.js';
import { tooManyRequests, unauthorized } from '../../../shared/platform/errors.js';
import { captureOutput } from '../../support/output.js';
import { TOKEN_ROUTE_STUBS } from '../../support/route-stubs.js';

let output: ReturnType<typeof captureOutput> | undefined;
afterEach(() => output?.restore());

/** A proxy event as API Gateway sends it (only what the pipeline reads). */
function event(over: Partial<APIGatewayProxyEvent>): APIGatewayProxyEvent {
  return {
    httpMethod: 'GET',
    resource: '/health',
    path: '/health',
    headers: {},
    body: null,
    isBase64Encoded: false,
    pathParameters: null,
    queryStringParameters: null,
    requestContext: { requestId: 'apigw-1' },
    ...over,
  } as unknown as APIGatewayProxyEvent;
}

const context = (functionName: string) =>
  ({
    functionName,
    awsRequestId: 'lambda-1',
    functionVersion: '$LATEST',
    memoryLimitInMB: '512',
    invokedFunctionArn: 'arn',
  }) as Context;

const operator: Principal = { kind: 'operator', keyId: 'op_1', tenantId: '', scopes: [], storeIds: [] };
const manager: Principal = { kind: 'secret', keyId: 'key_1', tenantId: 'ten_1', scopes: ['keys:write'], storeIds: [] };

/**
 * The key decisions of these tests, by the key sent (authorize() itself reads
 * DynamoDB; its integration tests run it): every header set it was asked about.
 */
const asked: (Record<string, string | undefined> | null | undefined)[] = [];
async function authenticate(headers: Record<string, string | undefined> | null | undefined): Promise<Principal> {
  asked.push(headers);
  const key = headers?.Authorization ?? headers?.authorization;
  if (key === 'Bearer op') return operator;
  if (key === 'Bearer manager') return manager;
  if (key === 'Bearer busy') throw tooManyRequests(3);
  if (key === 'Bearer down') throw Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
  throw unauthorized('Unknown API key.');
}

describe('a function built from the route table', () => {
  const seen: { requestId?: string; body?: unknown }[] = [];
  const ops = lambda('ops', {
    health: async (req) => {
      seen.push({ requestId: req.requestId });
      return { body: { status: 'ok' } };
    },
    openapi: async () => {
      throw new Error('bug');
    },
  });
  const tenants = lambda(
    'tenants',
    {
      createTenant: async (req) => {
        seen.push({ body: req.body });
        return { body: { created: true } };
      },
    },
    { authenticate },
  );
  const keys = lambda(
    'keys',
    {
      createKey: async () => ({ status: 201, body: {} }),
      listKeys: async (req) => {
        seen.push({ requestId: req.requestId });
        return { body: { items: [], tenant: req.principal.tenantId } };
      },
      revokeKey: async () => ({ status: 204 }),
      ...TOKEN_ROUTE_STUBS,
    },
    { authenticate },
  );
  const listKeys = (key: string, requestId = 'client-9') =>
    keys(
      event({ resource: '/v1/keys', path: '/v1/keys', headers: { Authorization: `Bearer ${key}`, 'X-Request-Id': requestId } }),
      context('unit-keys'),
    );

  it("answers with the client's X-Request-Id, hands it to the handler and logs it with the Lambda context", async () => {
    output = captureOutput();
    const res = await ops(event({ headers: { 'X-Request-Id': 'client-7' } }), context('unit-ops'));
    expect(res).toEqual({
      statusCode: 200,
      headers: { 'Content-Type': 'application/json', 'X-Request-Id': 'client-7' },
      body: '{"status":"ok"}',
    });
    expect(seen.at(-1)).toEqual({ requestId: 'client-7' });
    const access = output.lines().find((l) => l.message === 'request');
    expect(access).toMatchObject({
      requestId: 'client-7',
      function_name: 'unit-ops',
      cold_start: true,
      route: '/health',
      status: 200,
    });
  });

  it("uses API Gateway's request id in place of an invalid X-Request-Id", async () => {
    output = captureOutput();
    const res = await ops(event({ headers: { 'x-request-id': 'not valid!' } }), context('unit-ops'));
    expect(res.headers).toMatchObject({ 'X-Request-Id': 'apigw-1' });
    expect(seen.at(-1)).toEqual({ requestId: 'apigw-1' });
  });

  it('answers an unexpected error with a 500 naming the correlation id, logged with it', async () => {
    output = captureOutput();
    const res = await ops(
      event({ resource: '/openapi.json', path: '/openapi.json', headers: { 'X-Request-Id': 'client-8' } }),
      context('unit-ops'),
    );
    expect(res.statusCode).toBe(500);
    expect(res.headers).toEqual({ 'Content-Type': 'application/problem+json', 'X-Request-Id': 'client-8' });
    expect(JSON.parse(res.body).detail).toMatch(/^Unexpected error\. Correlation id: client-8\.[0-9a-f]{8}\.$/);
    const lines = output.lines().filter((l) => !('_aws' in l));
    expect(lines.map((l) => l.message)).toEqual(['unhandled error', 'request']);
    for (const l of lines) expect(l).toMatchObject({ requestId: 'client-8', function_name: 'unit-ops', cold_start: false });
    expect(lines[1].status).toBe(500);
  });

  it('answers 404 problem+json for a resource the function does not serve', async () => {
    output = captureOutput();
    const res = await ops(event({ resource: '/v1/unknown', path: '/v1/unknown' }), context('unit-ops'));
    expect(res.statusCode).toBe(404);
    expect(JSON.parse(res.body)).toMatchObject({ status: 404, detail: 'Route not found.' });
  });

  it('checks the key before the body: 401 without a principal, whatever the body', async () => {
    output = captureOutput();
    // The real authorize(): a request without a key is refused before any read.
    const real = lambda('tenants', { createTenant: async () => ({ body: { created: true } }) });
    const res = await real(
      event({
        httpMethod: 'POST',
        resource: '/v1/tenants',
        path: '/v1/tenants',
        body: '{',
        headers: { 'X-Request-Id': 'r-401' },
      }),
      context('unit-tenants'),
    );
    expect(res.statusCode).toBe(401);
    expect(res.headers).toEqual({ 'Content-Type': 'application/problem+json', 'X-Request-Id': 'r-401' });
    expect(JSON.parse(res.body)).toMatchObject({ status: 401, detail: expect.stringContaining('Missing API key') });
    const refusedByFake = await tenants(
      event({
        httpMethod: 'POST',
        resource: '/v1/tenants',
        path: '/v1/tenants',
        body: '{',
        headers: { Authorization: 'Bearer x' },
      }),
      context('unit-tenants'),
    );
    expect(refusedByFake.statusCode).toBe(401);
  });

  it('asks for the key on every route that needs one, with the headers as sent, and never on a public route', async () => {
    output = captureOutput();
    asked.length = 0;
    expect((await ops(event({ headers: { Authorization: 'Bearer op' } }), context('unit-ops'))).statusCode).toBe(200);
    expect(asked).toEqual([]);
    const res = await listKeys('manager', 'client-10');
    expect(res.statusCode).toBe(200);
    expect(JSON.parse(res.body)).toEqual({ items: [], tenant: 'ten_1' });
    expect(asked).toEqual([{ Authorization: 'Bearer manager', 'X-Request-Id': 'client-10' }]);
  });

  it("logs the request's lines with the tenant of its key", async () => {
    output = captureOutput();
    await listKeys('manager', 'client-11');
    const access = output.lines().find((l) => l.message === 'request');
    expect(access).toMatchObject({ requestId: 'client-11', tenantId: 'ten_1', function_name: 'unit-keys', status: 200 });
  });

  it('answers a key over its rate limit with 429, Retry-After and X-Request-Id, without running the handler', async () => {
    output = captureOutput();
    const before = seen.length;
    const res = await listKeys('busy', 'client-12');
    expect(res.statusCode).toBe(429);
    expect(res.headers).toEqual({ 'Content-Type': 'application/problem+json', 'X-Request-Id': 'client-12', 'Retry-After': '3' });
    expect(JSON.parse(res.body)).toMatchObject({ status: 429 });
    expect(seen.length).toBe(before);
    expect(output.lines().find((l) => l.message === 'request')).toMatchObject({ requestId: 'client-12', status: 429 });
  });

  it('answers 503 with Retry-After, not 401, when the key cannot be read', async () => {
    output = captureOutput();
    const res = await listKeys('down', 'client-13');
    expect(res.statusCode).toBe(503);
    expect(res.headers).toMatchObject({ 'Content-Type': 'application/problem+json', 'X-Request-Id': 'client-13' });
    expect(Number(res.headers?.['Retry-After'])).toBeGreaterThanOrEqual(1);
  });

  it('validates the body against the route schema and hands the handler the parsed body', async () => {
    output = captureOutput();
    const post = (body: string) =>
      tenants(
        event({
          httpMethod: 'POST',
          resource: '/v1/tenants',
          path: '/v1/tenants',
          body,
          headers: { 'Content-Type': 'application/json', Authorization: 'Bearer op' },
        }),
        context('unit-tenants'),
      );
    const bad = await post('{"name":""}');
    expect(bad.statusCode).toBe(422);
    expect(JSON.parse(bad.body).errors.map((e: { path: string }) => e.path)).toEqual(['name']);
    const good = await post('{"name":"Acme"}');
    expect(good.statusCode).toBe(201);
    expect(seen.at(-1)).toEqual({ body: { name: 'Acme' } });
  });
});
