import { Tracer } from '@aws-lambda-powertools/tracer';
import { SERVICE_NAME } from './config.js';

/**
 * X-Ray tracing (Powertools Tracer). It is on only inside Lambda with active
 * tracing (AWS_EXECUTION_ENV set; POWERTOOLS_TRACE_ENABLED=false turns it off):
 * locally and in tests every call below is a no-op. Traces hold timings and
 * call names only: no response bodies (keys shown once, webhook secrets and
 * shopper profiles are in them) and no outgoing HTTPS calls (the webhook
 * URLs are the tenants' own).
 */
export const tracer = new Tracer({ serviceName: SERVICE_NAME, captureHTTPsRequests: false });

/** What the handler middleware may record: never the response (see above). */
export const HANDLER_TRACE_OPTIONS = { captureResponse: false } as const;
