import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ATTRIBUTE_KEY_PATTERN,
  ATTRIBUTE_PREFIX,
  ATTRIBUTE_REF_PATTERN,
  CONFIDENCES,
  PRICE_SENSITIVITIES,
  PROFILE_FIELD_NAMES,
  PROFILE_FIELDS,
  RELATIONSHIPS,
  resolveAttribute,
} from '../../../../shared/domain/targeting/fields.js';

const keyChars = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_'.split('');
const validKey = fc.array(fc.constantFrom(...keyChars), { minLength: 1, maxLength: 64 }).map((cs) => cs.join(''));

describe('profile fields', () => {
  it('lists every targetable field by name', () => {
    expect(PROFILE_FIELD_NAMES).toEqual(Object.keys(PROFILE_FIELDS));
    expect(PROFILE_FIELD_NAMES).toEqual(
      expect.arrayContaining([
        'firstName',
        'relationship',
        'companySize',
        'needs',
        'loyaltyPoints',
        'lastPurchaseAt',
        'priceSensitivity',
      ]),
    );
  });

  it('lists the enums in their documented order, confidence weakest first', () => {
    expect(RELATIONSHIPS).toEqual(['prospect', 'customer', 'lapsed', 'referred']);
    expect(PRICE_SENSITIVITIES).toEqual(['low', 'medium', 'high']);
    expect(CONFIDENCES).toEqual(['low', 'medium', 'high']);
  });
});

describe('rule attribute resolution', () => {
  it('resolves a profile field to its kind, with the allowed values of an enum', () => {
    expect(resolveAttribute('relationship')).toEqual({ kind: 'enum', values: RELATIONSHIPS, field: 'relationship' });
    expect(resolveAttribute('priceSensitivity')).toEqual({
      kind: 'enum',
      values: PRICE_SENSITIVITIES,
      field: 'priceSensitivity',
    });
    expect(resolveAttribute('companySize')).toEqual({ kind: 'number', values: undefined, field: 'companySize' });
    expect(resolveAttribute('lastPurchaseAt')).toMatchObject({ kind: 'date', field: 'lastPurchaseAt' });
    expect(resolveAttribute('needs')).toMatchObject({ kind: 'stringArray', field: 'needs' });
    expect(resolveAttribute('firstName')).toMatchObject({ kind: 'string', field: 'firstName' });
  });

  it('resolves every profile field to its own definition', () => {
    for (const name of PROFILE_FIELD_NAMES) {
      const r = resolveAttribute(name);
      expect(r?.field).toBe(name);
      expect(r?.kind).toBe(PROFILE_FIELDS[name].kind);
      expect(r?.key).toBeUndefined();
    }
  });

  it('resolves "attributes.<name>" to a custom attribute of unknown kind', () => {
    expect(resolveAttribute('attributes.homeCity')).toEqual({ kind: 'unknown', key: 'homeCity' });
    expect(resolveAttribute(`${ATTRIBUTE_PREFIX}vip_2026`)).toEqual({ kind: 'unknown', key: 'vip_2026' });
  });

  it('resolves nothing for unknown names, bad attribute names and inherited object properties', () => {
    for (const attribute of [
      '',
      'homeCity',
      'Relationship',
      'attributes.',
      'attributes',
      'attributes.home-city',
      'attributes.home city',
      'attributes.a.b',
      `attributes.${'x'.repeat(65)}`,
      ' attributes.homeCity',
      'profile.firstName',
      'toString',
      'constructor',
      '__proto__',
      'hasOwnProperty',
    ]) {
      expect(resolveAttribute(attribute)).toBeUndefined();
    }
  });

  it('accepts a custom attribute name of 1 to 64 letters, digits or underscores', () => {
    expect(resolveAttribute(`attributes.${'x'.repeat(64)}`)).toEqual({ kind: 'unknown', key: 'x'.repeat(64) });
    fc.assert(
      fc.property(validKey, (key) => {
        expect(ATTRIBUTE_KEY_PATTERN.test(key)).toBe(true);
        expect(resolveAttribute(ATTRIBUTE_PREFIX + key)).toEqual({ kind: 'unknown', key });
      }),
    );
  });

  it('reads an attribute name the same way in a profile and in a rule', () => {
    fc.assert(
      fc.property(fc.oneof(validKey, fc.string({ maxLength: 70 }), fc.string({ unit: 'grapheme', maxLength: 10 })), (key) => {
        expect(ATTRIBUTE_REF_PATTERN.test(ATTRIBUTE_PREFIX + key)).toBe(ATTRIBUTE_KEY_PATTERN.test(key));
        expect(resolveAttribute(ATTRIBUTE_PREFIX + key)?.key).toBe(ATTRIBUTE_KEY_PATTERN.test(key) ? key : undefined);
      }),
      { numRuns: 500 },
    );
  });
});
