import type { Principal } from '../../auth/principal.js';
import { forbidden, unauthorized } from '../../platform/errors.js';
import type { RouteDef } from '../route.js';

/**
 * May this caller use this route? Throws 401 without a principal (on a route
 * that needs one) and 403 when the key's kind or scopes do not allow it; the
 * principal is what the authorizer decided. Returns for public routes.
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
