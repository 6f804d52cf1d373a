import { SCOPES, type KeyKind, type Scope } from '../store/apikeys.js';
import type { RateLimit } from '../store/ratelimit.js';

/** Who is calling: what the authorizer decided, handed to every handler. */

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
}

/** Flat string map, as API Gateway carries authorizer context. */
export type AuthorizerContext = Record<string, string>;

export function principalToContext(p: Principal): AuthorizerContext {
  return {
    kind: p.kind,
    keyId: p.keyId,
    tenantId: p.tenantId,
    scopes: p.scopes.join(' '),
    storeIds: p.storeIds.join(','),
  };
}

export function principalFromContext(ctx: Record<string, unknown> | null | undefined): Principal | undefined {
  if (!ctx || typeof ctx.keyId !== 'string' || typeof ctx.kind !== 'string') return undefined;
  const split = (v: unknown, sep: string) => (typeof v === 'string' && v.length ? v.split(sep) : []);
  return {
    kind: ctx.kind as KeyKind,
    keyId: ctx.keyId,
    tenantId: typeof ctx.tenantId === 'string' ? ctx.tenantId : '',
    scopes: split(ctx.scopes, ' ') as Scope[],
    storeIds: split(ctx.storeIds, ','),
  };
}

/** May this principal act on the given store? (store-restricted keys) */
export function canUseStore(p: Principal, storeId: string | null | undefined): boolean {
  if (p.storeIds.length === 0) return true;
  return !!storeId && p.storeIds.includes(storeId);
}
