import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  canUseStore,
  DEFAULT_RATE_LIMITS,
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

  it('allows exactly the listed stores, or every store when none is listed', () => {
    fc.assert(
      fc.property(
        principal.chain((p) =>
          fc.tuple(fc.constant(p), p.storeIds.length ? fc.oneof(id('st'), fc.constantFrom(...p.storeIds)) : id('st')),
        ),
        ([p, storeId]) => {
          expect(canUseStore(p, storeId)).toBe(p.storeIds.length === 0 || p.storeIds.includes(storeId));
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
