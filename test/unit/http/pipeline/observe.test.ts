import middy from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { afterEach, describe, expect, it } from 'vitest';
import { accessFields, observeRequest } from '../../../../shared/http/pipeline/observe.js';
import { captureOutput } from '../../../support/output.js';

let output: ReturnType<typeof captureOutput> | undefined;
afterEach(() => output?.restore());

const event = {
  httpMethod: 'POST',
  resource: '/v1/offers',
  path: '/v1/offers',
  body: '{"location":{"lat":41.1,"lng":2.2}}',
} as APIGatewayProxyEvent;

/** A handler observed as lambda.ts does: observe first, then the error mapping (whose onError runs before observe's). */
function observed(handler: () => Promise<APIGatewayProxyResult>) {
  return middy<APIGatewayProxyEvent, APIGatewayProxyResult>(handler)
    .use(observeRequest())
    .onError(async (request) => {
      request.response = { statusCode: 503, body: '' };
    });
}

describe('accessFields', () => {
  it('names the method, the route template, the status and the time, and nothing of the request itself', () => {
    expect(accessFields(event, 200, 12)).toEqual({ method: 'POST', route: '/v1/offers', status: 200, ms: 12 });
  });
});

describe('observeRequest', () => {
  it('writes one access line and the RequestLatency metric (EMF) per answered request', async () => {
    output = captureOutput();
    const res = await observed(async () => ({ statusCode: 201, body: '{}' }))(event, {} as Context);
    expect(res.statusCode).toBe(201);
    const [access, emf, ...rest] = output.lines();
    expect(rest).toEqual([]);
    expect(access).toMatchObject({ level: 'INFO', message: 'request', method: 'POST', route: '/v1/offers', status: 201 });
    expect(access.ms).toBeGreaterThanOrEqual(0);
    expect(emf._aws.CloudWatchMetrics).toEqual([
      { Namespace: 'GeoOffers', Dimensions: [['service']], Metrics: [{ Name: 'RequestLatency', Unit: 'Milliseconds' }] },
    ]);
    expect(emf.service).toBe('geo-offers');
    expect(emf.RequestLatency).toBe(access.ms);
    expect(output.text()).not.toContain('41.1');
  });

  it('observes a failed request with the status of its problem response', async () => {
    output = captureOutput();
    const res = await observed(async () => Promise.reject(new Error('down')))(event, {} as Context);
    expect(res.statusCode).toBe(503);
    const lines = output.lines();
    expect(lines[0]).toMatchObject({ message: 'request', status: 503 });
    expect(lines[1]).toHaveProperty('RequestLatency');
  });

  it('flushes each invocation: metrics of one request are not written again with the next', async () => {
    output = captureOutput();
    const handler = observed(async () => ({ statusCode: 200, body: '' }));
    await handler(event, {} as Context);
    await handler(event, {} as Context);
    const latencies = output
      .lines()
      .filter((l) => '_aws' in l)
      .map((l) => l.RequestLatency);
    expect(latencies).toHaveLength(2);
    for (const value of latencies) expect(typeof value).toBe('number');
  });
});
