import { AsyncLocalStorage } from 'node:async_hooks';
import { Logger } from '@aws-lambda-powertools/logger';
import type { LogLevel } from '@aws-lambda-powertools/logger/types';
import type { Context } from 'aws-lambda';
import { SERVICE_NAME } from './config.js';

/**
 * Structured JSON logs (Powertools Logger): one line per call, on stdout
 * (warn and error on stderr), on AWS and locally alike. Callers pass only
 * identifiers and counts: never key values, secrets, request bodies or
 * coordinates.
 *
 * `LOG_LEVEL` (debug, info, warn, error or silent; default info) is read once.
 * The lines logged while an invocation runs (inside `withLogContext`) carry its
 * Lambda context (function_name, cold_start, function_request_id, …) and its
 * keys (requestId, tenantId). Each invocation gets a logger of its own, held in
 * AsyncLocalStorage: locally one process serves many requests of many
 * functions at once, and keys appended to one shared logger would bleed from
 * one request into another.
 */
type Level = 'debug' | 'info' | 'warn' | 'error';

const LEVELS = ['debug', 'info', 'warn', 'error', 'silent'];

function levelFromEnv(): LogLevel {
  const level = (process.env.LOG_LEVEL ?? '').trim().toLowerCase();
  return (LEVELS.includes(level) ? level.toUpperCase() : 'INFO') as LogLevel;
}

/** The process-wide logger: lines logged outside any invocation (start-up, the local gateway). */
export const logger = new Logger({ serviceName: SERVICE_NAME, logLevel: levelFromEnv() });

const invocationLogger = new AsyncLocalStorage<Logger>();
const invoked = new Set<string>();

/**
 * True on the first invocation of a function in this process: a cold start (as
 * Powertools counts it, never for provisioned concurrency). Locally each
 * function's first request is its cold start.
 */
function coldStart(functionName: string): boolean {
  if (invoked.has(functionName)) return false;
  invoked.add(functionName);
  return process.env.AWS_LAMBDA_INITIALIZATION_TYPE !== 'provisioned-concurrency';
}

/**
 * Run one invocation with a logger of its own: every line `log` writes inside
 * `fn` (whatever module calls it) carries the Lambda context and these keys.
 */
export function withLogContext<T>(context: Context | undefined, keys: Record<string, unknown>, fn: () => T): T {
  const child = logger.createChild();
  if (context?.functionName) {
    child.addContext(context);
    // Powertools counts cold starts per Logger instance, and this one is new for
    // every invocation: the function's own count replaces it.
    child.appendKeys({ cold_start: coldStart(context.functionName) });
  }
  child.appendKeys(keys);
  return invocationLogger.run(child, fn);
}

export function log(level: Level, msg: string, fields: Record<string, unknown> = {}): void {
  (invocationLogger.getStore() ?? logger)[level](msg, fields);
}

/** Error name and message only: SDK errors can carry request parameters in other fields. */
export function errorFields(err: unknown): Record<string, unknown> {
  if (err instanceof Error) return { errorName: err.name, errorMessage: err.message.slice(0, 300) };
  return { errorName: typeof err };
}
