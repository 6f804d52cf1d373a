import type { Principal } from '../../auth/principal.js';
import { forbidden, unauthorized } from '../../platform/errors.js';
import type { RouteDef } from '../route.js';

/** The decision on a request's key: its principal, or a thrown refusal (401, 429) or dependency error (503). */
export type Authenticate = (headers: Record<string, string | undefined> | null | undefined) => Promise<Principal>;

/** Who sent a request: a principal (none on a public route), or why its key was refused. */
export type Identity = { principal: Principal | undefined } | { refusal: unknown };

/**
 * Who is calling, decided in the function itself from the request's headers
 * (no authorizer in front of it): nothing to decide on a public route or an
 * unknown one, else the key's principal or its refusal, kept to be thrown
 * where the pipeline answers errors.
 */
export async function identify(
  route: Pick<RouteDef, 'auth'> | undefined,
  headers: Record<string, string | undefined> | null | undefined,
  authenticate: Authenticate,
): Promise<Identity> {
  if (!route || route.auth === 'none') return { principal: undefined };
  try {
    return { principal: await authenticate(headers) };
  } catch (refusal) {
    return { refusal };
  }
}

/**
 * May this caller use this route? Throws 401 without a principal (on a route
 * that needs one) and 403 when the key's kind or scopes do not allow it; the
 * principal is what `authorize()` decided. Returns for public routes.
 */
export function authorizeRoute(route: Pick<RouteDef, 'auth'>, principal: Principal | undefined): void {
  if (route.auth === 'none') return;
  if (!principal) throw unauthorized();
  if (route.auth === 'operator') {
    if (principal.kind !== 'operator') throw forbidden('Only the operator key may do this.');
    return;
  }
  // The operator key exists to create tenants; it can read no tenant data.
  if (principal.kind === 'operator' || !principal.tenantId) throw forbidden('The operator key cannot access tenant data.');
  if (principal.kind === 'publishable' && route.auth !== 'offers:write' && route.auth !== 'offers:redeem')
    throw forbidden('Publishable keys may only request and redeem offers.');
  if (!principal.scopes.includes(route.auth)) throw forbidden(`This key lacks the scope ${route.auth}.`);
}
