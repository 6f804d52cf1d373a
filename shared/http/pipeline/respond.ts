import { randomBytes } from 'node:crypto';
import type { APIGatewayProxyResult } from 'aws-lambda';
import { DeadlineExceeded, IDEMPOTENCY_LEASE_S, requestSignal } from '../../platform/deadline.js';
import { DomainError, isDependencyUnavailable, unavailable } from '../../platform/errors.js';
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

/**
 * The 503 of a request that did not answer by its deadline: the problem type
 * of an unavailable dependency (it is one, or the request would have answered),
 * retryable after the idempotency lease.
 */
export const deadlinePassed = () =>
  new DomainError(
    'unavailable',
    'unavailable',
    'The request did not complete in time. Retry after Retry-After seconds, with the same Idempotency-Key if one was sent.',
    { retryAfterS: IDEMPOTENCY_LEASE_S },
  );

/**
 * Any thrown value → problem+json; unknown errors become a fixed 500 with a
 * correlation id. A request past its deadline and an unavailable dependency
 * are a 503 whose `Retry-After` is the idempotency lease: a retry after it is
 * never refused as in flight.
 */
export function toHttpError(err: unknown, requestId: string): HttpError {
  if (err instanceof DeadlineExceeded) {
    log('warn', 'deadline exceeded', { requestId, deadlineMs: err.deadlineMs });
    return fromDomainError(deadlinePassed());
  }
  // A failure after the request's deadline (its AWS calls are cut then): the same 503, logged where the late result is dropped.
  if (requestSignal()?.aborted) return fromDomainError(deadlinePassed());
  // An aborted AWS call (a deadline cut it, e.g. that of another request whose cache load this one shared) is retryable too.
  if (isDependencyUnavailable(err) || (err as Error | undefined)?.name === 'AbortError') {
    log('warn', 'dependency unavailable', { requestId, ...errorFields(err) });
    return fromDomainError(unavailable(IDEMPOTENCY_LEASE_S));
  }
  const exposed = exposedHttpError(err);
  if (exposed) return exposed;
  // The correlation id is ours alone (a client may send the same X-Request-Id twice): the request id plus a random suffix, logged with the error.
  const correlationId = `${requestId}.${randomBytes(4).toString('hex')}`;
  log('error', 'unhandled error', { requestId, correlationId, ...errorFields(err) });
  return internal(correlationId);
}
