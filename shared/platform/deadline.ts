import { AsyncLocalStorage } from 'node:async_hooks';
import { errorFields, log } from './log.js';

/**
 * One deadline per API request. A request that has not answered by then
 * answers 503 with `Retry-After: IDEMPOTENCY_LEASE_S`, whatever it was
 * waiting for; its late result is dropped, never sent. The deadline stays
 * below the function's timeout (10 s) and far below API Gateway's (29 s), so
 * the caller gets our 503 rather than the gateway's 504 while the function
 * keeps working.
 *
 * At the deadline the request's AbortSignal fires. The AWS clients
 * (clients.ts) pass it to every HTTP request they send for that request: a
 * timed-out request sends no DynamoDB or SQS call after its deadline, and the
 * one in flight is cut. That is what bounds the idempotency lease.
 */

/** Longest an API request runs before it answers 503 (milliseconds). */
export const REQUEST_DEADLINE_MS = 8_000;

/** Kept free before the Lambda timeout, so that the 503 leaves before the function is stopped (milliseconds). */
export const DEADLINE_MARGIN_MS = 500;

/**
 * How long an in-flight Idempotency-Key claim holds (seconds), and the
 * `Retry-After` of every 503 the pipeline sends. The deadline plus 2 s, so
 * that the claim outlives the request that holds it. A retry with the same
 * key after `Retry-After` seconds either replays the first result or runs
 * afresh, never a 409, and that does not rest on timing
 * (shared/store/idempotency.ts):
 *  - the lease's end is fixed before the claim is first sent, from the clock
 *    read then: it ends at most this long after any answer of the request,
 *    however late the table writes the claim (a call cut at the deadline may
 *    still be written after the 503);
 *  - the request's outcome is written only under its own lease (a condition
 *    on its random token), so once a retry has taken the key over, a late
 *    write of the first request is refused, never a second outcome;
 *  - a claim that the SDK sends again (its first attempt was written, the
 *    answer lost) recognises its own token and is not a 409.
 */
export const IDEMPOTENCY_LEASE_S = Math.ceil(REQUEST_DEADLINE_MS / 1000) + 2;

/**
 * `REQUEST_DEADLINE_MS` from the environment: a shorter deadline (tests, a
 * function that must answer sooner). Longer than the constant is refused, as
 * the lease and `Retry-After` are derived from the constant.
 */
export function configuredDeadlineMs(raw = process.env.REQUEST_DEADLINE_MS): number {
  if (raw === undefined || raw === '') return REQUEST_DEADLINE_MS;
  const ms = Number(raw);
  if (!Number.isInteger(ms) || ms < 1 || ms > REQUEST_DEADLINE_MS)
    throw new Error(`Environment variable REQUEST_DEADLINE_MS must be an integer from 1 to ${REQUEST_DEADLINE_MS}`);
  return ms;
}

/**
 * The time this request may take: the configured deadline, or less when the
 * invocation has less time left (`remainingMs`, the Lambda context's
 * remaining time) minus the margin. Never negative.
 */
export function requestDeadlineMs(configuredMs: number, remainingMs?: number): number {
  if (remainingMs === undefined || !Number.isFinite(remainingMs)) return configuredMs;
  return Math.max(0, Math.min(configuredMs, remainingMs - DEADLINE_MARGIN_MS));
}

const deadlineEnds = new WeakMap<object, number>();

/**
 * The milliseconds left to the request that `event` starts: the first call
 * for an event fixes its deadline (`requestDeadlineMs` from now, within the
 * invocation's remaining time), later calls for the same event return what is
 * left of it, until `withRequestDeadline` for that event ends. Every step of
 * one request (authorization, the handler) runs under
 * `withDeadline(msLeftFor(event, context), ...)`: one deadline in all.
 */
export function msLeftFor(event: object, context?: { getRemainingTimeInMillis?: () => number }): number {
  const now = Date.now();
  let end = deadlineEnds.get(event);
  if (end === undefined) {
    end = now + requestDeadlineMs(configuredDeadlineMs(), context?.getRemainingTimeInMillis?.());
    deadlineEnds.set(event, end);
  }
  return Math.max(0, end - now);
}

/** A request that did not answer by its deadline (the pipeline answers 503). */
export class DeadlineExceeded extends Error {
  override readonly name = 'DeadlineExceeded';
  readonly deadlineMs: number;

  constructor(deadlineMs: number) {
    super(`The request did not answer within ${deadlineMs} ms.`);
    this.deadlineMs = deadlineMs;
  }
}

const currentSignal = new AsyncLocalStorage<AbortSignal>();
const currentRequestId = new AsyncLocalStorage<string>();

/**
 * The AbortSignal of the request this code runs for, undefined outside one:
 * it fires at the request's deadline. Pass it wherever work should stop then
 * (the AWS clients already do).
 */
export function requestSignal(): AbortSignal | undefined {
  return currentSignal.getStore();
}

/**
 * The id of the request this code runs for (the one `withDeadline` was given:
 * the client's valid `X-Request-Id`, else API Gateway's), undefined outside
 * one. What the access audit log records with each entry.
 */
export function requestIdInScope(): string | undefined {
  return currentRequestId.getStore();
}

/**
 * Run `fn` outside any request's deadline: for work shared by concurrent
 * requests (one cache load serving several), which must not be cut when the
 * request that happened to start it runs out of time.
 */
export function outsideRequest<T>(fn: () => T): T {
  return currentSignal.exit(fn);
}

/**
 * Run one request under a deadline of `ms`: its result or its error, or a
 * DeadlineExceeded when it has not settled by then. At the deadline the
 * request's signal (`requestSignal()` inside `run`) aborts; what the request
 * produces afterwards is logged at warn with the request id and dropped.
 */
export function withDeadline<T>(ms: number, requestId: string, run: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const started = Date.now();
  const work = currentRequestId.run(requestId, () =>
    currentSignal.run(controller.signal, () => Promise.resolve().then(() => run(controller.signal))),
  );
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const exceeded = new DeadlineExceeded(ms);
      // Settle first, then abort: the 503 is decided before any aborted call can fail the request.
      reject(exceeded);
      controller.abort(exceeded);
      work.then(
        () =>
          log('warn', 'late result dropped', { requestId, deadlineMs: ms, afterMs: Date.now() - started, outcome: 'answered' }),
        (err: unknown) =>
          log('warn', 'late result dropped', {
            requestId,
            deadlineMs: ms,
            afterMs: Date.now() - started,
            outcome: 'failed',
            ...errorFields(err),
          }),
      );
    }, ms);
  });
  return Promise.race([work, expired]).finally(() => clearTimeout(timer));
}

/**
 * The last step of a request under its deadline (`msLeftFor`); the event's
 * deadline is forgotten when it ends, so that an event handled again (a test
 * replaying it) gets a deadline of its own.
 */
export async function withRequestDeadline<T>(
  event: object,
  context: { getRemainingTimeInMillis?: () => number } | undefined,
  requestId: string,
  run: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  try {
    return await withDeadline(msLeftFor(event, context), requestId, run);
  } finally {
    deadlineEnds.delete(event);
  }
}
