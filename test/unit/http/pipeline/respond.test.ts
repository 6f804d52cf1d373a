import { afterEach, describe, expect, it } from 'vitest';
import { HttpError } from '../../../../shared/http/errors.js';
import { problemResponse, successResponse, toHttpError } from '../../../../shared/http/pipeline/respond.js';
import { IDEMPOTENCY_LEASE_S } from '../../../../shared/platform/deadline.js';
import { notFound, tooManyRequests, unprocessable } from '../../../../shared/platform/errors.js';
import { captureOutput } from '../../../support/output.js';

let output: ReturnType<typeof captureOutput> | undefined;
afterEach(() => output?.restore());

describe('successResponse', () => {
  it("answers the route's success status with the JSON body and the request id", () => {
    expect(successResponse({ body: { id: 's_1' } }, { successStatus: 201 }, 'rid-1')).toEqual({
      statusCode: 201,
      headers: { 'Content-Type': 'application/json', 'X-Request-Id': 'rid-1' },
      body: '{"id":"s_1"}',
    });
  });

  it('answers 200 by default, and the status the reply names over the route', () => {
    expect(successResponse({ body: [] }, {}, 'r').statusCode).toBe(200);
    expect(successResponse({ status: 202, body: {} }, { successStatus: 201 }, 'r').statusCode).toBe(202);
  });

  it('sends no content type and an empty body when the reply has none', () => {
    expect(successResponse({ status: 204 }, {}, 'rid-2')).toEqual({
      statusCode: 204,
      headers: { 'X-Request-Id': 'rid-2' },
      body: '',
    });
  });

  it("adds the reply's own headers", () => {
    expect(successResponse({ body: {}, headers: { 'Retry-After': '3' } }, {}, 'r').headers).toEqual({
      'Content-Type': 'application/json',
      'X-Request-Id': 'r',
      'Retry-After': '3',
    });
  });
});

describe('problemResponse', () => {
  it('maps a domain error to problem+json with its status, fields and request id', () => {
    const res = problemResponse(unprocessable([{ path: 'name', message: 'Required.' }]), 'rid-3');
    expect(res.statusCode).toBe(422);
    expect(res.headers).toEqual({ 'Content-Type': 'application/problem+json', 'X-Request-Id': 'rid-3' });
    expect(JSON.parse(res.body)).toEqual({
      type: 'https://errors.geo-offers.dev/validation-failed',
      title: 'Unprocessable Content',
      status: 422,
      detail: 'The request failed validation.',
      errors: [{ path: 'name', message: 'Required.' }],
    });
  });

  it('carries Retry-After and leaves out X-Request-Id when there is no id', () => {
    expect(problemResponse(tooManyRequests(2.2)).headers).toEqual({
      'Content-Type': 'application/problem+json',
      'Retry-After': '3',
    });
  });

  it('sends an HttpError as it is', () => {
    const res = problemResponse(new HttpError(409, 'taken', 'Taken.'), 'r');
    expect(res.statusCode).toBe(409);
    expect(JSON.parse(res.body).type).toBe('https://errors.geo-offers.dev/taken');
  });
});

describe('toHttpError', () => {
  it('exposes domain errors and HttpErrors, logging nothing', () => {
    output = captureOutput();
    expect(toHttpError(notFound('Store'), 'r').status).toBe(404);
    const http = new HttpError(400, 'bad-request', 'No.');
    expect(toHttpError(http, 'r')).toBe(http);
    expect(output.text()).toBe('');
  });

  it('turns an unavailable dependency into a 503 with Retry-After, logged as a warning', () => {
    output = captureOutput();
    const err = toHttpError(
      Object.assign(new Error('Rate of requests exceeds the allowed throughput.'), { name: 'ThrottlingException' }),
      'rid-4',
    );
    expect(err.status).toBe(503);
    expect(err.headers).toEqual({ 'Retry-After': String(IDEMPOTENCY_LEASE_S) });
    expect(output.lines()).toEqual([
      expect.objectContaining({
        level: 'WARN',
        message: 'dependency unavailable',
        requestId: 'rid-4',
        errorName: 'ThrottlingException',
      }),
    ]);
  });

  it('hides any other error behind a 500 whose detail is the correlation id, and logs it with that id', () => {
    output = captureOutput();
    const err = toHttpError(new TypeError('x is undefined'), 'rid-5');
    expect(err.status).toBe(500);
    expect(err.toProblem()).toEqual({
      type: 'https://errors.geo-offers.dev/internal',
      title: 'Internal Server Error',
      status: 500,
      detail: expect.stringMatching(/^Unexpected error\. Correlation id: rid-5\.[0-9a-f]{8}\.$/),
    });
    expect(output.lines()).toEqual([
      expect.objectContaining({
        level: 'ERROR',
        message: 'unhandled error',
        requestId: 'rid-5',
        errorName: 'TypeError',
        errorMessage: 'x is undefined',
      }),
    ]);
  });
});
