import { describe, expect, it } from 'vitest';
import { isReservedKey, recordKeySchema, RESERVED_KEY_MESSAGE, RESERVED_KEYS } from '../../../../shared/domain/values/keys.js';
import { bodyWith, requestFields, requestSchema } from '../../../support/request-fields.js';

describe('reserved keys', () => {
  it('are the names every object inherits a meaning for', () => {
    expect([...RESERVED_KEYS].sort()).toEqual(['__proto__', 'constructor', 'prototype']);
    expect(['constructor', 'prototype', '__proto__', 'toString', 'Constructor', 'proto'].map(isReservedKey)).toEqual([
      true,
      true,
      true,
      false,
      false,
      false,
    ]);
  });

  it('are refused by a record key schema, beside its own pattern', () => {
    const key = recordKeySchema(/^[a-z_]{1,16}$/, 'lower-case, at most 16');
    expect(key.safeParse('visits').success).toBe(true);
    expect(key.safeParse('constructor').error?.issues.map((i) => i.message)).toEqual([RESERVED_KEY_MESSAGE]);
    expect(key.safeParse('Visits').error?.issues.map((i) => i.message)).toEqual(['lower-case, at most 16']);
  });

  describe('in every request schema with caller-named keys', () => {
    const fields = requestFields((node) => node.propertyNames !== undefined);
    const withKey = (field: (typeof fields)[number], key: string) =>
      bodyWith(field.route, field.path, JSON.parse(`{${JSON.stringify(key)}: "v"}`));

    it('finds geofence metadata and shopper attributes', () => {
      expect(fields.map((f) => `${f.route} ${f.path}`).sort()).toEqual([
        'createGeofence metadata',
        'putShopper attributes',
        'replaceGeofence metadata',
        'requestOffers profile.attributes',
        'updateGeofence metadata',
      ]);
    });

    it.each(['constructor', 'prototype'])('refuses "%s" everywhere, naming the key and the reason', (key) => {
      for (const f of fields) {
        const result = requestSchema(f).safeParse(withKey(f, key));
        expect(result.success, `${f.route} ${f.path}`).toBe(false);
        const issues = result.error!.issues as { path: PropertyKey[]; code: string; issues?: { message: string }[] }[];
        expect(
          issues.map((i) => [i.path.join('.'), i.code]),
          `${f.route} ${f.path}`,
        ).toEqual([[`${f.path}.${key}`, 'invalid_key']]);
        expect(issues[0].issues?.map((i) => i.message)).toEqual([RESERVED_KEY_MESSAGE]);
      }
    });

    it('never lets "__proto__" through to the parsed value (the body parser refuses it first)', () => {
      for (const f of fields) {
        const result = requestSchema(f).safeParse(withKey(f, '__proto__'));
        const record = f.path.split('.').reduce<unknown>((v, k) => (v as Record<string, unknown>)?.[k], result.data) as object;
        expect(Object.getPrototypeOf(record), `${f.route} ${f.path}`).toBe(Object.prototype);
        expect(Object.keys(record), `${f.route} ${f.path}`).toEqual([]);
      }
    });

    it('keeps ordinary keys, even ones objects inherit such as "toString"', () => {
      for (const f of fields) {
        const result = requestSchema(f).safeParse(withKey(f, 'toString'));
        const record = f.path.split('.').reduce<unknown>((v, k) => (v as Record<string, unknown>)?.[k], result.data);
        expect(record, `${f.route} ${f.path}`).toEqual({ toString: 'v' });
      }
    });
  });
});
