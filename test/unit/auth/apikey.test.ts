import { describe, expect, it } from 'vitest';
import { generateKey, hashKey, parseKey, sameHash } from '../../../shared/auth/apikey.js';
import { extractKey } from '../../../shared/auth/authorize.js';

describe('API key material', () => {
  it('carries a kind prefix, 190+ random bits and a checksum', () => {
    for (const kind of ['operator', 'secret', 'publishable'] as const) {
      const { key, hash, prefix } = generateKey(kind);
      expect(key).toMatch(/^geo_(op|sk|pk)_[0-9A-Za-z]{38}$/);
      expect(parseKey(key)).toBe(kind);
      expect(hash).toBe(hashKey(key));
      expect(hash).toMatch(/^[0-9a-f]{64}$/);
      expect(prefix).toBe(key.slice(0, 12));
    }
  });

  it('never repeats a key', () => {
    const keys = new Set(Array.from({ length: 2000 }, () => generateKey('secret').key));
    expect(keys.size).toBe(2000);
  });

  it('refuses a key whose checksum does not match, or of the wrong shape', () => {
    const { key } = generateKey('secret');
    const body = key.slice(7, 39);
    const flipped = `geo_sk_${body.slice(0, -1)}${body.endsWith('a') ? 'b' : 'a'}${key.slice(39)}`;
    expect(parseKey(flipped)).toBeUndefined();
    expect(parseKey(key.replace('geo_sk_', 'geo_pk_'))).toBeUndefined();
    expect(parseKey(`${key}x`)).toBeUndefined();
    expect(parseKey('')).toBeUndefined();
  });

  it('compares hashes in constant time and only equal ones match', () => {
    const a = hashKey('a');
    expect(sameHash(a, a)).toBe(true);
    expect(sameHash(a, hashKey('b'))).toBe(false);
    expect(sameHash(a, '')).toBe(false);
  });

  it('reads the key from Authorization Bearer or x-api-key, any header case', () => {
    expect(extractKey({ Authorization: 'Bearer abc' })).toBe('abc');
    expect(extractKey({ authorization: 'bearer abc ' })).toBe('abc');
    expect(extractKey({ 'X-Api-Key': 'xyz' })).toBe('xyz');
    expect(extractKey({ authorization: 'Basic abc' })).toBeUndefined();
    expect(extractKey({})).toBeUndefined();
    expect(extractKey(null)).toBeUndefined();
  });
});
