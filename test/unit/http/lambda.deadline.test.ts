import type { APIGatewayProxyEvent, Context } from 'aws-lambda';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { lambda } from '../../../shared/http/lambda.js';
import { deadlinePassed, problemResponse, toHttpError } from '../../../shared/http/pipeline/respond.js';
import { DeadlineExceeded, IDEMPOTENCY_LEASE_S, withDeadline } from '../../../shared/platform/deadline.js';
import { unavailable } from '../../../shared/platform/errors.js';
import { captureOutput } from '../../support/output.js';

let output: ReturnType<typeof captureOutput> | undefined;
let savedDeadline: string | undefined;
beforeEach(() => {
  savedDeadline = process.env.REQUEST_DEADLINE_MS;
  delete process.env.REQUEST_DEADLINE_MS;
});
afterEach(() => {
  output?.restore();
  output = undefined;
  if (savedDeadline === undefined) delete process.env.REQUEST_DEADLINE_MS;
  else process.env.REQUEST_DEADLINE_MS = savedDeadline;
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const event = (requestId: string) =>
  ({
    httpMethod: 'GET',
    resource: '/health',
    path: '/health',
    headers: { 'X-Request-Id': requestId },
    body: null,
    isBase64Encoded: false,
    pathParameters: null,
    queryStringParameters: null,
    requestContext: { requestId: 'apigw-1', authorizer: null },
  }) as unknown as APIGatewayProxyEvent;

/** A Lambda context whose invocation has `remainingMs` left when the request starts. */
const context = (remainingMs = 10_000) => {
  const end = Date.now() + remainingMs;
  return {
    functionName: 'unit-deadline',
    awsRequestId: 'lambda-1',
    functionVersion: '$LATEST',
    memoryLimitInMB: '512',
    invokedFunctionArn: 'arn',
    getRemainingTimeInMillis: () => end - Date.now(),
  } as unknown as Context;
};

/** The ops function with a health handler of the test's choosing. */
let health: () => Promise<{ body?: unknown }> = async () => ({ body: { status: 'ok' } });
const ops = lambda('ops', { health: () => health(), openapi: async () => ({ body: {} }) });

async function timed(p: Promise<{ statusCode: number; headers?: Record<string, unknown>; body: string }>) {
  const start = Date.now();
  const res = await p;
  return { res, ms: Date.now() - start };
}

const expectDeadline503 = (res: { statusCode: number; headers?: Record<string, unknown>; body: string }, requestId: string) => {
  expect(res.statusCode).toBe(503);
  expect(res.headers).toEqual({
    'Content-Type': 'application/problem+json',
    'X-Request-Id': requestId,
    'Retry-After': String(IDEMPOTENCY_LEASE_S),
  });
  expect(JSON.parse(res.body)).toEqual({
    type: 'https://errors.geo-offers.dev/unavailable',
    title: 'Service Unavailable',
    status: 503,
    detail: expect.stringContaining('did not complete in time'),
  });
};

describe('the request deadline', () => {
  it('answers 503 with Retry-After = the idempotency lease when the handler never answers', async () => {
    output = captureOutput();
    process.env.REQUEST_DEADLINE_MS = '150';
    health = () => new Promise(() => undefined);
    const { res, ms } = await timed(ops(event('dl-1'), context()));
    expectDeadline503(res, 'dl-1');
    expect(ms).toBeGreaterThanOrEqual(145);
    expect(ms).toBeLessThan(700);
    const lines = output.lines().filter((l) => !('_aws' in l));
    expect(lines.map((l) => [l.message, l.level])).toEqual([
      ['deadline exceeded', 'WARN'],
      ['request', 'INFO'],
    ]);
    expect(lines[0]).toMatchObject({ requestId: 'dl-1', deadlineMs: 150 });
    expect(lines[1]).toMatchObject({ requestId: 'dl-1', status: 503 });
  });

  it("is cut to the invocation's remaining time less 500 ms", async () => {
    output = captureOutput();
    health = () => new Promise(() => undefined);
    const { res, ms } = await timed(ops(event('dl-2'), context(700)));
    expectDeadline503(res, 'dl-2');
    expect(ms).toBeGreaterThanOrEqual(190);
    expect(ms).toBeLessThan(650);
    expect(output.lines().find((l) => l.message === 'deadline exceeded')?.deadlineMs).toBeLessThanOrEqual(200);
  });

  it('leaves a request that answers in time alone', async () => {
    output = captureOutput();
    process.env.REQUEST_DEADLINE_MS = '300';
    health = async () => {
      await sleep(20);
      return { body: { status: 'ok' } };
    };
    const { res } = await timed(ops(event('dl-3'), context()));
    expect(res.statusCode).toBe(200);
    expect(JSON.parse(res.body)).toEqual({ status: 'ok' });
    await sleep(350);
    expect(output.lines().filter((l) => l.level === 'WARN')).toEqual([]);
  });

  it('never sends the late result of a timed-out handler: it is logged at warn with the request id', async () => {
    output = captureOutput();
    process.env.REQUEST_DEADLINE_MS = '100';
    health = async () => {
      await sleep(250);
      return { body: { status: 'late' } };
    };
    const { res } = await timed(ops(event('dl-4'), context()));
    expectDeadline503(res, 'dl-4');
    expect(res.body).not.toContain('late');
    await sleep(300);
    const dropped = output.lines().find((l) => l.message === 'late result dropped');
    expect(dropped).toMatchObject({ level: 'WARN', requestId: 'dl-4', outcome: 'answered', deadlineMs: 100 });
    expect(dropped!.afterMs).toBeGreaterThanOrEqual(245);
  });

  it('refuses a deadline setting longer than the lease allows: a 500 naming the variable', async () => {
    output = captureOutput();
    process.env.REQUEST_DEADLINE_MS = '60000';
    health = async () => ({ body: { status: 'ok' } });
    const { res } = await timed(ops(event('dl-5'), context()));
    expect(res.statusCode).toBe(500);
    expect(output.lines().find((l) => l.message === 'unhandled error')?.errorMessage).toMatch(/REQUEST_DEADLINE_MS/);
  });
});

describe('every 503 of the pipeline', () => {
  it('carries Retry-After = the idempotency lease for a dependency error, an SDK error or a deadline', () => {
    output = captureOutput();
    const throttled = Object.assign(new Error('slow down'), { name: 'ProvisionedThroughputExceededException' });
    const refused = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    const timedOut = Object.assign(new Error('socket hang'), { name: 'TimeoutError' });
    for (const err of [throttled, refused, timedOut, unavailable(1), new DeadlineExceeded(8_000)]) {
      const res = problemResponse(toHttpError(err, 'r-1'), 'r-1');
      expect(res.statusCode).toBe(503);
      expect(res.headers?.['Retry-After']).toBe(String(IDEMPOTENCY_LEASE_S));
      expect(JSON.parse(res.body)).toMatchObject({
        type: 'https://errors.geo-offers.dev/unavailable',
        title: 'Service Unavailable',
      });
    }
    expect(deadlinePassed().retryAfterS).toBe(IDEMPOTENCY_LEASE_S);
  });

  it("maps whatever fails after the request's deadline to the deadline's 503, not a 500", async () => {
    output = captureOutput();
    const seen: number[] = [];
    const late = withDeadline(30, 'r-2', async () => {
      await sleep(80);
      seen.push(toHttpError(Object.assign(new Error('Request aborted'), { name: 'AbortError' }), 'r-2').status);
      seen.push(toHttpError(new TypeError('x'), 'r-2').status);
    });
    await expect(late).rejects.toBeInstanceOf(DeadlineExceeded);
    await sleep(120);
    expect(seen).toEqual([503, 503]);
    expect(output.lines().filter((l) => l.message === 'unhandled error')).toEqual([]);
    // Outside a timed-out request the same error is a bug: a 500.
    expect(toHttpError(new TypeError('x'), 'r-3').status).toBe(500);
  });
});
