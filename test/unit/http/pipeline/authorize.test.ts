import { describe, expect, it } from 'vitest';
import type { Principal, Scope } from '../../../../shared/auth/principal.js';
import { SHOPPER_OFFER_LIMIT, shopperLimiter } from '../../../../shared/auth/rate-limit.js';
import { admit, authorizeRoute, identify, sourceOf } from '../../../../shared/http/pipeline/authorize.js';
import type { RouteDef } from '../../../../shared/http/route.js';
import { DomainError, tooManyRequests } from '../../../../shared/platform/errors.js';

const principal = (kind: Principal['kind'], scopes: Scope[] = [], tenantId = 't_1'): Principal => ({
  kind,
  keyId: 'k_1',
  tenantId: kind === 'operator' ? '' : tenantId,
  scopes,
  storeIds: [],
});

/** The refusal (kind and detail), or 'allowed'. */
function outcome(auth: RouteDef['auth'], p: Principal | undefined): string {
  try {
    authorizeRoute({ auth }, p);
    return 'allowed';
  } catch (err) {
    if (!(err instanceof DomainError)) throw err;
    return `${err.kind}: ${err.message}`;
  }
}

describe('authorizeRoute', () => {
  it('lets anyone use a public route', () => {
    expect(outcome('none', undefined)).toBe('allowed');
  });

  it('refuses a route that needs a key without a principal (401)', () => {
    expect(outcome('stores:read', undefined)).toBe('unauthorized: A valid API key is required.');
    expect(outcome('operator', undefined)).toBe('unauthorized: A valid API key is required.');
  });

  it('lets only the operator key use operator routes', () => {
    expect(outcome('operator', principal('operator'))).toBe('allowed');
    expect(outcome('operator', principal('secret', ['keys:write']))).toBe('forbidden: Only the operator key may do this.');
  });

  it('keeps the operator key, and any key without a tenant, out of tenant data', () => {
    expect(outcome('stores:read', principal('operator'))).toBe('forbidden: The operator key cannot access tenant data.');
    expect(outcome('stores:read', principal('secret', ['stores:read'], ''))).toBe(
      'forbidden: The operator key cannot access tenant data.',
    );
  });

  it('lets a publishable key only request and redeem offers, whatever its scopes', () => {
    expect(outcome('offers:write', principal('publishable', ['offers:write']))).toBe('allowed');
    expect(outcome('offers:redeem', principal('publishable', ['offers:redeem']))).toBe('allowed');
    expect(outcome('stores:read', principal('publishable', ['stores:read']))).toBe(
      'forbidden: Publishable keys may only request and redeem offers.',
    );
  });

  it('needs the route scope on the key', () => {
    expect(outcome('stores:write', principal('secret', ['stores:write']))).toBe('allowed');
    expect(outcome('stores:write', principal('secret', ['stores:read']))).toBe(
      'forbidden: This key lacks the scope stores:write.',
    );
    expect(outcome('offers:redeem', principal('publishable', ['offers:write']))).toBe(
      'forbidden: This key lacks the scope offers:redeem.',
    );
  });
});

describe('identify', () => {
  const p = principal('secret', ['stores:read']);

  it('asks nothing on a public or unknown route', async () => {
    const asked: unknown[] = [];
    const authenticate = async (h: unknown) => {
      asked.push(h);
      return p;
    };
    expect(await identify({ auth: 'none' }, { authorization: 'Bearer x' }, authenticate)).toEqual({ principal: undefined });
    expect(await identify(undefined, { authorization: 'Bearer x' }, authenticate)).toEqual({ principal: undefined });
    expect(asked).toEqual([]);
  });

  it("hands the request's headers to the key decision and keeps its principal", async () => {
    const headers = { authorization: 'Bearer x', 'x-request-id': 'r' };
    expect(await identify({ auth: 'stores:read' }, headers, async (h) => (h === headers ? p : principal('operator')))).toEqual({
      principal: p,
    });
  });

  it('keeps a refusal or a dependency error, as thrown, for the pipeline to answer', async () => {
    const limited = tooManyRequests(2);
    expect(await identify({ auth: 'operator' }, {}, async () => Promise.reject(limited))).toEqual({ refusal: limited });
    const down = Object.assign(new Error('timeout'), { name: 'TimeoutError' });
    const got = await identify({ auth: 'operator' }, {}, async () => Promise.reject(down));
    expect('refusal' in got && got.refusal).toBe(down);
  });
});

describe('identify, with the source of the request', () => {
  it("hands the source to the key decision, and reads it from either payload format's request context", async () => {
    const seen: unknown[] = [];
    const source = sourceOf({ requestContext: { identity: { sourceIp: '203.0.113.7' } } });
    await identify(
      { auth: 'stores:read' },
      {},
      async (_h, s) => {
        seen.push(s);
        return principal('secret', ['stores:read']);
      },
      source,
    );
    expect(seen).toEqual([{ sourceIp: '203.0.113.7' }]);
    expect(sourceOf({ requestContext: { http: { sourceIp: '2001:db8::1' } } })).toEqual({ sourceIp: '2001:db8::1' });
    expect(sourceOf({ requestContext: { identity: { sourceIp: 7 } } })).toEqual({});
    expect(sourceOf({ requestContext: null })).toEqual({});
    expect(sourceOf(undefined)).toEqual({});
  });
});

describe('the per-shopper offer limit (admit)', () => {
  const OFFERS = { method: 'POST', path: '/v1/offers' } as const;
  const app = (shopperId: string, tenantId = 't_limit'): Principal => ({
    ...principal('publishable', ['offers:write', 'offers:redeem'], tenantId),
    shopperId,
  });
  /** 'ok', or the refusal with its Retry-After. */
  const take = (route: { method: 'POST'; path: string }, p: Principal, now: number): string => {
    try {
      admit(route, p, now);
      return 'ok';
    } catch (err) {
      if (!(err instanceof DomainError)) throw err;
      return `${err.kind} ${err.retryAfterS}: ${err.message}`;
    }
  };
  const T = 5_000_000;

  it(`admits a burst of ${SHOPPER_OFFER_LIMIT.burst}, then ${SHOPPER_OFFER_LIMIT.rps} a second, for that shopper alone`, () => {
    shopperLimiter.clear();
    const ana = app('ana');
    const got = Array.from({ length: 7 }, () => take(OFFERS, ana, T));
    expect(got.slice(0, 5)).toEqual(['ok', 'ok', 'ok', 'ok', 'ok']);
    expect(got.slice(5)).toEqual(
      Array(2).fill('rate_limited 1: Rate limit exceeded for this shopper: at most 1 offer request per second (burst 5).'),
    );
    // Another shopper of the key, and the same shopper id of another tenant, have buckets of their own.
    expect(take(OFFERS, app('bob'), T)).toBe('ok');
    expect(take(OFFERS, app('ana', 't_other'), T)).toBe('ok');
    // One token a second comes back.
    expect(take(OFFERS, ana, T + 999)).toMatch(/^rate_limited/);
    expect(take(OFFERS, ana, T + 1000)).toBe('ok');
    expect(take(OFFERS, ana, T + 1000)).toMatch(/^rate_limited/);
  });

  it('limits only POST /v1/offers of a publishable key', () => {
    shopperLimiter.clear();
    const ana = app('ana');
    for (let i = 0; i < 10; i++) expect(take({ method: 'POST', path: '/v1/offers/{id}/redeem' }, ana, T)).toBe('ok');
    const server: Principal = { ...principal('secret', ['offers:write']), shopperId: 'ana' };
    for (let i = 0; i < 10; i++) expect(take(OFFERS, server, T)).toBe('ok');
    expect(Array.from({ length: 6 }, () => take(OFFERS, ana, T)).filter((r) => r === 'ok')).toHaveLength(5);
  });

  it('is taken by authorizeRoute on the offer route', () => {
    shopperLimiter.clear();
    const ana = app('ana');
    const route = { auth: 'offers:write', ...OFFERS } as const;
    for (let i = 0; i < 5; i++) authorizeRoute(route, ana, T);
    expect(() => authorizeRoute(route, ana, T)).toThrow(/this shopper/);
  });
});
