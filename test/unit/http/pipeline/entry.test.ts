import type { Request as MiddyRequest } from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { afterEach, describe, expect, it } from 'vitest';
import { lambda } from '../../../../shared/http/pipeline/entry.js';
import { captureOutput } from '../../../support/output.js';

let output: ReturnType<typeof captureOutput> | undefined;
afterEach(() => output?.restore());

const event = (over: Partial<APIGatewayProxyEvent>) =>
  ({
    httpMethod: 'GET',
    resource: '/health',
    path: '/health',
    headers: { 'X-Request-Id': 'entry-1' },
    body: null,
    isBase64Encoded: false,
    pathParameters: null,
    queryStringParameters: null,
    requestContext: { requestId: 'apigw-1' },
    ...over,
  }) as unknown as APIGatewayProxyEvent;

const context = { functionName: 'unit-entry', awsRequestId: 'l-1', functionVersion: '$LATEST' } as Context;

type Invocation = MiddyRequest<APIGatewayProxyEvent, APIGatewayProxyResult>;

describe('the entry of an API function', () => {
  it('runs the trace middleware it is given around the whole request: before it, and after its response', async () => {
    const seen: string[] = [];
    const trace = {
      before: async (r: Invocation) => {
        seen.push(`before ${r.event.resource}`);
      },
      after: async (r: Invocation) => {
        seen.push(`after ${r.response?.statusCode}`);
      },
      onError: async (r: Invocation) => {
        seen.push(`error ${r.response?.statusCode} ${(r.error as Error).message}`);
      },
    };
    const ops = lambda(
      'ops',
      {
        health: async () => {
          seen.push('handler');
          return { body: { status: 'ok' } };
        },
        openapi: async () => {
          throw new Error('bug');
        },
      },
      { trace },
    );
    output = captureOutput();
    expect((await ops(event({}), context)).statusCode).toBe(200);
    expect(seen).toEqual(['before /health', 'handler', 'after 200']);

    // A failed request reaches the trace middleware too, after the error has become its problem response.
    seen.length = 0;
    const failed = await ops(event({ resource: '/openapi.json', path: '/openapi.json' }), context);
    expect(failed.statusCode).toBe(500);
    expect(seen).toEqual(['before /openapi.json', 'error 500 bug']);
  });

  it('answers the same without one (the offers function: no X-Ray SDK)', async () => {
    const ops = lambda('ops', { health: async () => ({ body: { status: 'ok' } }), openapi: async () => ({ body: {} }) });
    output = captureOutput();
    const res = await ops(event({}), context);
    expect(res).toEqual({
      statusCode: 200,
      headers: { 'Content-Type': 'application/json', 'X-Request-Id': 'entry-1' },
      body: '{"status":"ok"}',
    });
  });
});
