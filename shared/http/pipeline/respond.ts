import { randomBytes } from 'node:crypto';
import type { APIGatewayProxyResult } from 'aws-lambda';
import { type DomainError, isDependencyUnavailable, unavailable } from '../../platform/errors.js';
import { errorFields, log } from '../../platform/log.js';
import { HttpError, exposedHttpError, fromDomainError, internal } from '../errors.js';
import type { RouteDef } from '../route.js';
import type { Reply } from './types.js';

const JSON_HEADERS = { 'Content-Type': 'application/json' };

/** A handler's reply as the proxy result: the route's success status unless the reply names one, JSON body, `X-Request-Id`. */
export function successResponse(reply: Reply, route: Pick<RouteDef, 'successStatus'>, requestId: string): APIGatewayProxyResult {
  const status = reply.status ?? route.successStatus ?? 200;
  return {
    statusCode: status,
    headers: { ...(reply.body === undefined ? {} : JSON_HEADERS), 'X-Request-Id': requestId, ...reply.headers },
    body: reply.body === undefined ? '' : JSON.stringify(reply.body),
  };
}

/** An error as problem+json, with the error's own headers (`Retry-After`) and `X-Request-Id` when known. */
export function problemResponse(error: HttpError | DomainError, requestId?: string): APIGatewayProxyResult {
  const err = error instanceof HttpError ? error : fromDomainError(error);
  return {
    statusCode: err.status,
    headers: { 'Content-Type': 'application/problem+json', ...(requestId ? { 'X-Request-Id': requestId } : {}), ...err.headers },
    body: JSON.stringify(err.toProblem()),
  };
}

/** Any thrown value → problem+json; unknown errors become a fixed 500 with a correlation id, dependencies a 503. */
export function toHttpError(err: unknown, requestId: string): HttpError {
  const exposed = exposedHttpError(err);
  if (exposed) return exposed;
  if (isDependencyUnavailable(err)) {
    log('warn', 'dependency unavailable', { requestId, ...errorFields(err) });
    return fromDomainError(unavailable(1));
  }
  // The correlation id is ours alone (a client may send the same X-Request-Id twice): the request id plus a random suffix, logged with the error.
  const correlationId = `${requestId}.${randomBytes(4).toString('hex')}`;
  log('error', 'unhandled error', { requestId, correlationId, ...errorFields(err) });
  return internal(correlationId);
}
