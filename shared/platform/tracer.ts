import { SERVICE_NAME } from './config.js';

/**
 * X-Ray tracing, in two parts.
 *
 * - Every function runs with Lambda's active tracing (infra/aws/stack.ts):
 *   Lambda itself records each invocation's segment (initialization,
 *   invocation, overhead, errors), with no SDK inside the function.
 * - The functions that import shared/http/pipeline/xray.ts also run the X-Ray
 *   SDK (Powertools Tracer) and add a subsegment for the handler and one for
 *   every AWS SDK call. Every function does, except **offers** (the hot path):
 *   the SDK with its dependencies (aws-xray-sdk-core, semver, cls-hooked) was
 *   about 120 KB of its bundle and some 25 ms of its cold import. What the
 *   offers function's traces lack: the handler's subsegment (ColdStart and
 *   Service annotations) and one subsegment per DynamoDB call; they show the
 *   invocation as a whole. Its DynamoDB rounds are pinned by
 *   test/int/hot-path-rounds.test.ts instead.
 *
 * This module is the seam the rest of the code calls: it never loads the SDK.
 * `tracer.captureAWSv3Client` hands a client to the installed SDK tracer, and
 * returns it unchanged when none is installed. Even where it is installed, the
 * SDK records only inside Lambda with active tracing (AWS_EXECUTION_ENV set;
 * POWERTOOLS_TRACE_ENABLED=false turns it off): locally and in tests every
 * call is a no-op. Traces hold timings and call names only: no response bodies
 * (keys shown once, webhook secrets and shopper profiles are in them) and no
 * outgoing HTTPS calls (the webhook URLs are the tenants' own).
 */

/** What this code asks of the X-Ray SDK's tracer (Powertools Tracer has both). */
export interface SdkTracer {
  /** Record every call of this AWS SDK v3 client as a subsegment; returns the client. */
  captureAWSv3Client<T>(client: T): T;
  isTracingEnabled(): boolean;
}

let installed: SdkTracer | undefined;

/** Called once by shared/http/pipeline/xray.ts, the only module that loads the X-Ray SDK. */
export function useSdkTracer(sdkTracer: SdkTracer): void {
  installed = sdkTracer;
}

/** The tracer the code calls: the installed X-Ray SDK tracer, or nothing at all. */
export const tracer: SdkTracer = {
  captureAWSv3Client: (client) => (installed ? installed.captureAWSv3Client(client) : client),
  isTracingEnabled: () => installed?.isTracingEnabled() ?? false,
};

/** How the X-Ray SDK's tracer is made: outgoing HTTPS calls are never captured (see above). */
export const TRACER_OPTIONS = { serviceName: SERVICE_NAME, captureHTTPsRequests: false } as const;

/** What the handler middleware may record: never the response (see above). */
export const HANDLER_TRACE_OPTIONS = { captureResponse: false } as const;
