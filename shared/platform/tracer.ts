import { Tracer } from '@aws-lambda-powertools/tracer';
import { SERVICE_NAME } from './config.js';

/**
 * X-Ray tracing (Powertools Tracer). It is on only inside Lambda with active
 * tracing (AWS_EXECUTION_ENV set; POWERTOOLS_TRACE_ENABLED=false turns it off):
 * locally and in tests every call below is a no-op.
 */
export const tracer = new Tracer({ serviceName: SERVICE_NAME });
