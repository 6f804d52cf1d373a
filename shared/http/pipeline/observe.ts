import type { MiddlewareObj, Request as MiddyRequest } from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { log } from '../../platform/log.js';
import { flushMetrics, latency } from '../../platform/metrics.js';

type Invocation = MiddyRequest<APIGatewayProxyEvent, APIGatewayProxyResult>;

/** The access line of a request: the route template and status, never the body, the key or query values (coordinates). */
export function accessFields(
  event: Pick<APIGatewayProxyEvent, 'httpMethod' | 'resource'>,
  status: number | undefined,
  ms: number,
) {
  return { method: event.httpMethod, route: event.resource, status, ms };
}

/**
 * At the end of every API invocation, answered or failed (register it before
 * the error mapping, so that its onError sees the problem response): one access
 * line, the RequestLatency metric, and the invocation's metrics flushed.
 */
export function observeRequest(): MiddlewareObj<APIGatewayProxyEvent, APIGatewayProxyResult> {
  const started = new WeakMap<Invocation, number>();
  const done = (request: Invocation) => {
    const ms = Date.now() - (started.get(request) ?? Date.now());
    latency('RequestLatency', ms);
    log('info', 'request', accessFields(request.event, request.response?.statusCode, ms));
    flushMetrics();
  };
  return {
    before: (request) => {
      started.set(request, Date.now());
    },
    after: done,
    onError: done,
  };
}
