import type { APIGatewayProxyEvent, Context } from 'aws-lambda';
import { afterEach, describe, expect, it } from 'vitest';
import { principalToContext } from '../../../shared/auth/principal.js';
import { lambda } from '../../../shared/http/lambda.js';
import { captureOutput } from '../../support/output.js';

let output: ReturnType<typeof captureOutput> | undefined;
afterEach(() => output?.restore());

/** A proxy event as API Gateway sends it (only what the pipeline reads). */
function event(over: Partial<APIGatewayProxyEvent> & { authorizer?: Record<string, unknown> }): APIGatewayProxyEvent {
  const { authorizer, ...rest } = over;
  return {
    httpMethod: 'GET',
    resource: '/health',
    path: '/health',
    headers: {},
    body: null,
    isBase64Encoded: false,
    pathParameters: null,
    queryStringParameters: null,
    requestContext: { requestId: 'apigw-1', authorizer: authorizer ?? null },
    ...rest,
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

const operator = principalToContext({ kind: 'operator', keyId: 'op_1', tenantId: '', scopes: [], storeIds: [] });

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
  const tenants = lambda('tenants', {
    createTenant: async (req) => {
      seen.push({ body: req.body });
      return { body: { created: true } };
    },
  });

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
    const res = await tenants(
      event({ httpMethod: 'POST', resource: '/v1/tenants', path: '/v1/tenants', body: '{' }),
      context('unit-tenants'),
    );
    expect(res.statusCode).toBe(401);
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
          headers: { 'Content-Type': 'application/json' },
          authorizer: operator,
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
