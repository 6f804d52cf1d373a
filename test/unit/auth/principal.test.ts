import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  canUseStore,
  DEFAULT_RATE_LIMITS,
  principalFromContext,
  principalToContext,
  PUBLISHABLE_SCOPES,
  SCOPES,
  type KeyKind,
  type Principal,
} from '../../../shared/auth/principal.js';

const KINDS: KeyKind[] = ['operator', 'secret', 'publishable'];

const idChar = fc.constantFrom(...'0123456789abcdefghijklmnopqrstuvwxyz');
const id = (prefix: string) => fc.string({ unit: idChar, minLength: 1, maxLength: 26 }).map((s) => `${prefix}_${s}`);

const principal: fc.Arbitrary<Principal> = fc.record({
  kind: fc.constantFrom(...KINDS),
  keyId: id('key'),
  tenantId: fc.oneof(fc.constant(''), id('ten')),
  scopes: fc.subarray([...SCOPES]),
  storeIds: fc.uniqueArray(id('st'), { maxLength: 5 }),
});

const secret: Principal = {
  kind: 'secret',
  keyId: 'key_01j0000000000000000000000a',
  tenantId: 'ten_01j0000000000000000000000b',
  scopes: ['offers:write', 'campaigns:read'],
  storeIds: ['st_1', 'st_2'],
};

describe('authorizer context', () => {
  it('is a flat map of strings: scopes joined by spaces, store ids by commas', () => {
    expect(principalToContext(secret)).toEqual({
      kind: 'secret',
      keyId: 'key_01j0000000000000000000000a',
      tenantId: 'ten_01j0000000000000000000000b',
      scopes: 'offers:write campaigns:read',
      storeIds: 'st_1,st_2',
    });
  });

  it('carries the operator key, which has no tenant, scopes or stores, as empty strings', () => {
    const operator: Principal = { kind: 'operator', keyId: 'key_op', tenantId: '', scopes: [], storeIds: [] };
    expect(principalToContext(operator)).toEqual({ kind: 'operator', keyId: 'key_op', tenantId: '', scopes: '', storeIds: '' });
    expect(principalFromContext(principalToContext(operator))).toEqual(operator);
  });

  it('gives back the same principal after a round trip', () => {
    fc.assert(
      fc.property(principal, (p) => {
        const ctx = principalToContext(p);
        for (const value of Object.values(ctx)) expect(typeof value).toBe('string');
        expect(principalFromContext(ctx)).toEqual(p);
      }),
      { numRuns: 300 },
    );
  });

  it('ignores what API Gateway adds to the context', () => {
    const ctx = { ...principalToContext(secret), principalId: secret.keyId, integrationLatency: 12 };
    expect(principalFromContext(ctx)).toEqual(secret);
  });

  it('reads no principal from a missing context, or one without a key id or kind', () => {
    expect(principalFromContext(undefined)).toBeUndefined();
    expect(principalFromContext(null)).toBeUndefined();
    expect(principalFromContext({})).toBeUndefined();
    expect(principalFromContext({ kind: 'secret', tenantId: 'ten_1' })).toBeUndefined();
    expect(principalFromContext({ keyId: 'key_1', tenantId: 'ten_1' })).toBeUndefined();
    expect(principalFromContext({ kind: 'secret', keyId: 42 })).toBeUndefined();
    expect(principalFromContext({ kind: ['secret'], keyId: 'key_1' })).toBeUndefined();
  });

  it('reads missing or non-string tenant, scopes and stores as empty: no tenant, no scope, every store', () => {
    expect(principalFromContext({ kind: 'secret', keyId: 'key_1' })).toEqual({
      kind: 'secret',
      keyId: 'key_1',
      tenantId: '',
      scopes: [],
      storeIds: [],
    });
    expect(principalFromContext({ kind: 'secret', keyId: 'key_1', tenantId: 7, scopes: ['offers:write'], storeIds: 3 })).toEqual({
      kind: 'secret',
      keyId: 'key_1',
      tenantId: '',
      scopes: [],
      storeIds: [],
    });
  });
});

describe('store restriction', () => {
  it('lets a key without stores act on any store, or on none', () => {
    const p = { ...secret, storeIds: [] };
    for (const storeId of ['st_1', 'st_9', null, undefined, '']) expect(canUseStore(p, storeId)).toBe(true);
  });

  it('lets a store-restricted key act only on its own stores', () => {
    expect(canUseStore(secret, 'st_1')).toBe(true);
    expect(canUseStore(secret, 'st_2')).toBe(true);
    expect(canUseStore(secret, 'st_3')).toBe(false);
    expect(canUseStore(secret, 'st_')).toBe(false);
    expect(canUseStore(secret, null)).toBe(false);
    expect(canUseStore(secret, undefined)).toBe(false);
    expect(canUseStore(secret, '')).toBe(false);
  });

  it('keeps the restriction through the authorizer context', () => {
    fc.assert(
      fc.property(
        principal.chain((p) =>
          fc.tuple(fc.constant(p), p.storeIds.length ? fc.oneof(id('st'), fc.constantFrom(...p.storeIds)) : id('st')),
        ),
        ([p, storeId]) => {
          const back = principalFromContext(principalToContext(p))!;
          expect(canUseStore(back, storeId)).toBe(p.storeIds.length === 0 || p.storeIds.includes(storeId));
        },
      ),
    );
  });
});

describe('scopes and rate limits', () => {
  it('gives publishable keys only the offer scopes', () => {
    expect([...PUBLISHABLE_SCOPES].sort()).toEqual(['offers:redeem', 'offers:write']);
    for (const s of PUBLISHABLE_SCOPES) expect(SCOPES).toContain(s);
  });

  it('lists every scope once, as resource:action', () => {
    expect(new Set(SCOPES).size).toBe(SCOPES.length);
    for (const s of SCOPES) expect(s).toMatch(/^[a-z]+:(read|write|redeem)$/);
  });

  it('has a default rate limit for every kind of key, with a burst of at least one second of traffic', () => {
    for (const kind of KINDS) {
      const { rps, burst } = DEFAULT_RATE_LIMITS[kind];
      expect(rps).toBeGreaterThan(0);
      expect(burst).toBeGreaterThanOrEqual(rps);
    }
  });
});
