import type { RequestSource } from '../../auth/authorize.js';
import type { Principal } from '../../auth/principal.js';
import { rateLimiter, SHOPPER_OFFER_LIMIT, shopperLimiter } from '../../auth/rate-limit.js';
import { forbidden, tooManyRequests, unauthorized } from '../../platform/errors.js';
import type { RouteDef } from '../route.js';

/** The decision on a request's key: its principal, or a thrown refusal (401, 429) or dependency error (503). */
export type Authenticate = (
  headers: Record<string, string | undefined> | null | undefined,
  source?: RequestSource,
) => Promise<Principal>;

/**
 * The routes a publishable key may call: requesting offers and redeeming them. On any other its request is 401
 * without a valid Shopper-Token (as on these), else 403 (authorizeRoute).
 */
export const publishableMayCall = (route: Pick<RouteDef, 'auth'>): boolean =>
  route.auth === 'offers:write' || route.auth === 'offers:redeem';

/** Who sent a request: a principal (none on a public route), or why its key was refused. */
export type Identity = { principal: Principal | undefined } | { refusal: unknown };

/**
 * Where an API Gateway event came from: the client's address, as payload
 * format 1.0 gives it (`requestContext.identity.sourceIp`, which the local
 * gateway fills with the socket's address) or 2.0 (`requestContext.http.sourceIp`).
 */
export function sourceOf(event: { requestContext?: unknown } | null | undefined): RequestSource {
  const ctx = event?.requestContext as
    | { identity?: { sourceIp?: unknown } | null; http?: { sourceIp?: unknown } | null }
    | null
    | undefined;
  const ip = ctx?.identity?.sourceIp ?? ctx?.http?.sourceIp;
  return typeof ip === 'string' && ip ? { sourceIp: ip } : {};
}

/**
 * Who is calling, decided in the function itself from the request's headers
 * (no authorizer in front of it): nothing to decide on a public route or an
 * unknown one, else the key's principal or its refusal, kept to be thrown
 * where the pipeline answers errors. `source` (sourceOf(event)) is where the
 * request came from, for the per-source limit of unknown keys.
 */
export async function identify(
  route: Pick<RouteDef, 'auth'> | undefined,
  headers: Record<string, string | undefined> | null | undefined,
  authenticate: Authenticate,
  source: RequestSource = {},
): Promise<Identity> {
  if (!route || route.auth === 'none') return { principal: undefined };
  try {
    return { principal: await authenticate(headers, source) };
  } catch (refusal) {
    return { refusal };
  }
}

/** Is this the hot path, `POST /v1/offers`, which the per-shopper limit guards? */
const isOfferRequest = (route: Partial<Pick<RouteDef, 'method' | 'path'>>) =>
  route.method === 'POST' && route.path === '/v1/offers';

/**
 * The rate limits of a request whose route is known, in this order: a
 * publishable key's offer request takes from its shopper's bucket
 * (SHOPPER_OFFER_LIMIT, per tenant and token `sub`), then every request from
 * its key's (the fleet-wide ceiling, shared/auth/rate-limit.ts). A shopper
 * refused first spends nothing of the key's, so one client hammering the
 * shared key cannot starve the others. Throws 429 with Retry-After.
 */
export function admit(route: Partial<Pick<RouteDef, 'method' | 'path'>>, principal: Principal, now = Date.now()): void {
  if (principal.kind === 'publishable' && principal.shopperId !== undefined && isOfferRequest(route)) {
    const waitMs = shopperLimiter.take(`${principal.tenantId}\n${principal.shopperId}`, SHOPPER_OFFER_LIMIT, now);
    if (waitMs > 0)
      throw tooManyRequests(
        waitMs / 1000,
        `Rate limit exceeded for this shopper: at most ${SHOPPER_OFFER_LIMIT.rps} offer request per second (burst ${SHOPPER_OFFER_LIMIT.burst}).`,
      );
  }
  if (!principal.rateLimit) return;
  const waitMs = rateLimiter.take(principal.keyId, principal.rateLimit, now);
  if (waitMs > 0) throw tooManyRequests(waitMs / 1000);
}

/**
 * May this caller use this route? Throws 401 without a principal (on a route
 * that needs one), 429 over a rate limit (admit), and 403 when the key's kind
 * or scopes do not allow it; the principal is what `authorize()` decided.
 * Returns for public routes.
 */
export function authorizeRoute(
  route: Pick<RouteDef, 'auth'> & Partial<Pick<RouteDef, 'method' | 'path'>>,
  principal: Principal | undefined,
  now = Date.now(),
): void {
  if (route.auth === 'none') return;
  if (!principal) throw unauthorized();
  admit(route, principal, now);
  if (route.auth === 'operator') {
    if (principal.kind !== 'operator') throw forbidden('Only the operator key may do this.');
    return;
  }
  // The operator key exists to create tenants; it can read no tenant data.
  if (principal.kind === 'operator' || !principal.tenantId) throw forbidden('The operator key cannot access tenant data.');
  if (principal.kind === 'publishable' && !publishableMayCall(route))
    throw forbidden('Publishable keys may only request and redeem offers.');
  if (!principal.scopes.includes(route.auth)) throw forbidden(`This key lacks the scope ${route.auth}.`);
}
