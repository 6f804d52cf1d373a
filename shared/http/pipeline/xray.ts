import { Tracer } from '@aws-lambda-powertools/tracer';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import type { MiddlewareObj } from '@middy/core';
import { HANDLER_TRACE_OPTIONS, TRACER_OPTIONS, useSdkTracer } from '../../platform/tracer.js';

/**
 * The X-Ray SDK (Powertools Tracer), for the functions that use it: importing
 * this module installs it for the AWS SDK clients (each call a subsegment,
 * shared/platform/clients.ts via shared/platform/tracer.ts). The API
 * functions get it through shared/http/lambda.ts, which also records the
 * handler's subsegment; the queue and stream consumers import it themselves.
 * The offers function does not import it (see shared/platform/tracer.ts).
 */
export const xrayTracer = new Tracer(TRACER_OPTIONS);
useSdkTracer(xrayTracer);

/** The handler's subsegment (cold start and service annotations, errors); never the response. */
export function traceHandler(): MiddlewareObj {
  return captureLambdaHandler(xrayTracer, HANDLER_TRACE_OPTIONS);
}
