import { SCOPES, type KeyKind, type Scope } from '../store/apikeys.js';
import type { RateLimit } from '../store/ratelimit.js';

/** Who is calling: what authorize() decided from the request's key, handed to every handler. */

/** Scopes, key kinds and rate limits are attributes of the stored key, defined with it (store/apikeys.ts, store/ratelimit.ts). */
export { SCOPES, type KeyKind, type RateLimit, type Scope };

/** The only scopes a publishable key (shipped inside a mobile app) may ever hold. */
export const PUBLISHABLE_SCOPES: readonly Scope[] = ['offers:write', 'offers:redeem'];

export const DEFAULT_RATE_LIMITS: Record<KeyKind, RateLimit> = {
  operator: { rps: 50, burst: 100 },
  secret: { rps: 50, burst: 100 },
  publishable: { rps: 500, burst: 1000 },
};

export interface Principal {
  kind: KeyKind;
  keyId: string;
  /** Empty for the operator key. */
  tenantId: string;
  scopes: Scope[];
  /** Empty = every store of the tenant. */
  storeIds: string[];
  /**
   * A publishable key's request: the shopper its verified shopper token names (`sub`). It acts only for
   * this shopper. Absent for secret and operator keys, which need no token.
   */
  shopperId?: string;
  /** A publishable key's `deviceAttributes`: the `attributes.<name>` its app may send inline with an offer request. */
  deviceAttributes?: string[];
  /**
   * The key's rate limit, taken once the route is known (shared/http/pipeline/authorize.ts: after the
   * per-shopper limit, so that a shopper refused there spends nothing of the key's). Absent: no key limit.
   */
  rateLimit?: RateLimit;
}

/** May this principal act on the given store? (store-restricted keys) */
export function canUseStore(p: Principal, storeId: string | null | undefined): boolean {
  if (p.storeIds.length === 0) return true;
  return !!storeId && p.storeIds.includes(storeId);
}
