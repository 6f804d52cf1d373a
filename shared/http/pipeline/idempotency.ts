import type { APIGatewayProxyResult } from 'aws-lambda';
import { createHash } from 'node:crypto';
import type { Principal } from '../../auth/principal.js';
import { conflict, unprocessable } from '../../platform/errors.js';
import {
  type BeginResult,
  type StoredResponse,
  abandonIdempotent,
  beginIdempotent,
  completeIdempotent,
  completionItems,
} from '../../store/idempotency.js';
import type { TaggedItem } from '../../store/transactions.js';
import type { RouteDef } from '../route.js';
import { problemResponse, toHttpError } from './respond.js';
import type { Reply } from './types.js';

/**
 * The Idempotency-Key header (Stripe semantics): the first response to a key
 * is kept 24 h and replayed to every retry with the same body; a retry while
 * the first is running, or with another body, is a 409.
 */
export const MAX_IDEMPOTENCY_KEY = 255;

/** The key to honour: undefined when the route ignores the header or none was sent; 422 when it is empty or too long. */
export function idempotencyKeyOf(route: Pick<RouteDef, 'idempotent'>, headers: Record<string, string>): string | undefined {
  const key = route.idempotent ? headers['idempotency-key'] : undefined;
  if (key === undefined) return undefined;
  if (key.length === 0 || key.length > MAX_IDEMPOTENCY_KEY)
    throw unprocessable([{ path: 'Idempotency-Key', message: `Must be 1-${MAX_IDEMPOTENCY_KEY} characters.` }]);
  return key;
}

/** JSON with object keys sorted: the same body in any key order has the same text. */
export function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object')
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  return JSON.stringify(value ?? null);
}

/** What a key was used for: the route and its validated body. */
export function fingerprint(routeId: string, body: unknown): string {
  return createHash('sha256')
    .update(`${routeId}\n${canonical(body)}`)
    .digest('hex');
}

/** The claim's outcome: undefined = run the request; a response = replay it (marked); 409 while in flight or for another body. */
export function replayOrRun(begun: BeginResult): APIGatewayProxyResult | undefined {
  if (begun.state === 'replay')
    return { ...begun.response, headers: { ...begun.response.headers, 'Idempotent-Replayed': 'true' } };
  if (begun.state === 'in_flight')
    throw conflict('idempotency-in-flight', 'A request with this Idempotency-Key is still in progress.');
  if (begun.state === 'mismatch')
    throw conflict('idempotency-key-reused', 'This Idempotency-Key was used with a different request body.');
  return undefined;
}

/** After a failure: a retryable or racing one (5xx, 429, 409) forgets the claim so the client's retry can run; others are kept for replay. */
export function forgetsClaimOnFailure(status: number): boolean {
  return status >= 500 || status === 429 || status === 409;
}

/** The table calls, passed in so the rules above and below can run without a table. */
export interface IdempotencyStore {
  begin(tenantId: string, keyId: string, idemKey: string, fingerprint: string): Promise<BeginResult>;
  complete(
    tenantId: string,
    keyId: string,
    idemKey: string,
    lease: string,
    response: StoredResponse,
    shopperId?: string,
  ): Promise<void>;
  abandon(tenantId: string, keyId: string, idemKey: string, lease?: string): Promise<void>;
}

/**
 * Given to a handler that writes its outcome in one transaction: the items
 * that complete this request's idempotency record with the response of a
 * reply, to write in the same transaction (the handler then answers with
 * `idempotencyWritten: true`, and the pipeline writes nothing more).
 */
export interface IdempotencyCommit {
  itemsFor(reply: Reply): TaggedItem[];
}

/**
 * The key a request's record is kept under. A publishable key is shared by a whole app fleet: its records are
 * kept per shopper (the token's), so two shoppers who happen to send the same Idempotency-Key and body never
 * get each other's replayed offers.
 */
export function scopedIdempotencyKey(principal: Pick<Principal, 'shopperId'>, idemKey: string): string {
  return principal.shopperId ? `S:${principal.shopperId}|${idemKey}` : idemKey;
}

/**
 * The shopper a request is about, for the erasure reference of its record: a publishable key's token shopper, or
 * the validated body's `shopperId` (offers, conversions, shopper tokens).
 */
export function shopperOfRequest(principal: Pick<Principal, 'shopperId'>, body: unknown): string | undefined {
  if (principal.shopperId) return principal.shopperId;
  const id = body && typeof body === 'object' ? (body as { shopperId?: unknown }).shopperId : undefined;
  return typeof id === 'string' && id.length > 0 ? id : undefined;
}

export const tableIdempotencyStore: IdempotencyStore = {
  begin: beginIdempotent,
  complete: completeIdempotent,
  abandon: abandonIdempotent,
};

export interface IdempotentRun {
  principal: Principal;
  idemKey: string;
  routeId: string;
  /** The validated body (what the fingerprint covers). */
  body: unknown;
  requestId: string;
  /** The handler; it may write the completion itself (see IdempotencyCommit). */
  run: (commit: IdempotencyCommit) => Promise<Reply>;
  /** Its reply as the proxy result. */
  respond: (reply: Reply) => APIGatewayProxyResult;
}

/**
 * Run a request under its Idempotency-Key: claim the key (or replay / 409),
 * run, then keep the response for replay, or forget the claim when the reply
 * asks to keep nothing (`noStore`) or the failure is retryable. A failure
 * leaves as the HttpError it maps to, after its problem response is kept.
 */
export async function runIdempotent(
  r: IdempotentRun,
  store: IdempotencyStore = tableIdempotencyStore,
): Promise<APIGatewayProxyResult> {
  const { tenantId, keyId } = r.principal;
  const idemKey = scopedIdempotencyKey(r.principal, r.idemKey);
  const begun = await store.begin(tenantId, keyId, idemKey, fingerprint(r.routeId, r.body));
  const replay = replayOrRun(begun);
  if (replay || begun.state !== 'started') return replay!;
  const { lease } = begun;
  const stored = (result: APIGatewayProxyResult): StoredResponse => ({
    statusCode: result.statusCode,
    headers: (result.headers ?? {}) as Record<string, string>,
    body: result.body,
  });
  const commit: IdempotencyCommit = {
    itemsFor: (reply) => completionItems(tenantId, keyId, idemKey, lease, stored(r.respond(reply)), reply.shopperId),
  };

  let result: APIGatewayProxyResult;
  let reply: Reply;
  try {
    reply = await r.run(commit);
    result = r.respond(reply);
  } catch (err) {
    const httpErr = toHttpError(err, r.requestId);
    if (forgetsClaimOnFailure(httpErr.status)) await store.abandon(tenantId, keyId, idemKey, lease).catch(() => undefined);
    // A refusal about a shopper is referenced from their partition too, so that erasing them erases it.
    else
      await store.complete(
        tenantId,
        keyId,
        idemKey,
        lease,
        problemResponse(httpErr, r.requestId) as StoredResponse,
        shopperOfRequest(r.principal, r.body),
      );
    throw httpErr;
  }
  if (reply.idempotencyWritten) return result;
  if (reply.noStore) {
    await store.abandon(tenantId, keyId, idemKey, lease);
    return result;
  }
  await store.complete(tenantId, keyId, idemKey, lease, stored(result), reply.shopperId);
  return result;
}
