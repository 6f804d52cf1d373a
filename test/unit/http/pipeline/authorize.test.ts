import { describe, expect, it } from 'vitest';
import type { Principal, Scope } from '../../../../shared/auth/principal.js';
import { authorizeRoute, identify } from '../../../../shared/http/pipeline/authorize.js';
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
