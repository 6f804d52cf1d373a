import type { FunctionName } from './route.js';
import { type Handlers, type LambdaOptions, lambda as untracedLambda } from './pipeline/entry.js';
import { traceHandler } from './pipeline/xray.js';

export type { Handlers, LambdaOptions } from './pipeline/entry.js';

/**
 * The Lambda entry of an API function (shared/http/pipeline/entry.ts), traced
 * with the X-Ray SDK: a subsegment for the handler and one per AWS SDK call.
 * Every API function is built with it but offers, the hot path, which is
 * built with the entry alone so that its bundle carries no X-Ray SDK (see
 * shared/platform/tracer.ts for what its traces lack).
 */
export function lambda<F extends FunctionName>(fn: F, impls: Handlers<NoInfer<F>>, options: LambdaOptions = {}) {
  return untracedLambda(fn, impls, { trace: traceHandler(), ...options });
}
