import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { newId, ulid } from '../../../shared/platform/ids.js';

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const MAX_TIME = 2 ** 48 - 1;
const time = fc.integer({ min: 0, max: MAX_TIME });

/** The millisecond time held in the first 10 characters. */
const decodeTime = (id: string) => [...id.slice(0, 10)].reduce((t, c) => t * 32 + CROCKFORD.indexOf(c), 0);

describe('ULID', () => {
  it('is 26 Crockford base32 characters: no I, L, O or U', () => {
    for (let i = 0; i < 200; i++) expect(ulid()).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
  });

  it('starts with the 48-bit millisecond time, most significant first', () => {
    expect(ulid(0).slice(0, 10)).toBe('0000000000');
    expect(ulid(1).slice(0, 10)).toBe('0000000001');
    expect(ulid(32).slice(0, 10)).toBe('0000000010');
    expect(ulid(MAX_TIME).slice(0, 10)).toBe('7ZZZZZZZZZ');
    // The example of the ULID spec: 1469918176385 ms is 01ARYZ6S41.
    expect(ulid(1_469_918_176_385).slice(0, 10)).toBe('01ARYZ6S41');
    fc.assert(
      fc.property(time, (t) => {
        expect(decodeTime(ulid(t))).toBe(t);
      }),
    );
  });

  it('uses the current time by default', () => {
    const before = Date.now();
    const id = ulid();
    const after = Date.now();
    expect(decodeTime(id)).toBeGreaterThanOrEqual(before);
    expect(decodeTime(id)).toBeLessThanOrEqual(after);
  });

  it('sorts by creation time as a plain string', () => {
    fc.assert(
      fc.property(time, time, (a, b) => {
        fc.pre(a !== b);
        const [x, y] = [ulid(a), ulid(b)];
        expect(x < y).toBe(a < b);
      }),
      { numRuns: 500 },
    );
  });

  it('never repeats within the same millisecond', () => {
    const now = Date.now();
    const ids = new Set(Array.from({ length: 10_000 }, () => ulid(now)));
    expect(ids.size).toBe(10_000);
  });

  it('fills all 80 random bits: every one of the 16 random characters takes many values', () => {
    const ids = Array.from({ length: 2000 }, () => ulid(0));
    for (let pos = 10; pos < 26; pos++) {
      const seen = new Set(ids.map((id) => id[pos]));
      expect(seen.size, `character ${pos}`).toBeGreaterThan(24);
    }
  });
});

describe('public id', () => {
  it('is the prefix, an underscore and a lower-case ULID', () => {
    for (const prefix of ['gf', 'st', 'cmp', 'key', 'ten']) {
      const id = newId(prefix);
      expect(id).toMatch(new RegExp(`^${prefix}_[0-9a-hjkmnp-tv-z]{26}$`));
      expect(id.slice(prefix.length + 1).toUpperCase()).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
    }
  });

  it('carries the creation time, so later ids of a kind sort after earlier ones', async () => {
    const before = Date.now();
    const first = newId('gf');
    await new Promise((r) => setTimeout(r, 3));
    const second = newId('gf');
    expect(decodeTime(first.slice(3).toUpperCase())).toBeGreaterThanOrEqual(before);
    expect(first < second).toBe(true);
  });

  it('never repeats', () => {
    const ids = new Set(Array.from({ length: 10_000 }, () => newId('of')));
    expect(ids.size).toBe(10_000);
  });
});
