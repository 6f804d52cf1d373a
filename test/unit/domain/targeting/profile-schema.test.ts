import { describe, expect, it } from 'vitest';
import {
  AttributesSchema,
  ConsentSchema,
  ProfileFieldsSchema,
  ProfileSchema,
} from '../../../../shared/domain/targeting/profile-schema.js';

/** Dotted paths of the issues a schema reports for a value, sorted. */
const issuePaths = (
  schema: { safeParse: (v: unknown) => { success: boolean; error?: { issues: { path: PropertyKey[] }[] } } },
  value: unknown,
) => {
  const r = schema.safeParse(value);
  return r.success ? [] : (r.error?.issues ?? []).map((i) => i.path.map(String).join('.')).sort();
};

const consent = { location: true, marketing: true };

describe('consent value', () => {
  it('needs both flags as booleans and nothing else', () => {
    expect(ConsentSchema.safeParse(consent).success).toBe(true);
    expect(issuePaths(ConsentSchema, { location: true })).toEqual(['marketing']);
    expect(issuePaths(ConsentSchema, { location: 'yes', marketing: true })).toEqual(['location']);
    expect(issuePaths(ConsentSchema, { ...consent, sms: true })).toEqual(['']);
  });
});

describe('shopper attributes value', () => {
  it('takes strings, numbers and booleans under well-formed names', () => {
    const parsed = AttributesSchema.parse({ plan: 'pro', seats: 12, trial: false });
    expect(parsed).toEqual({ plan: 'pro', seats: 12, trial: false });
  });

  it('refuses nested values, long strings and badly formed names', () => {
    expect(AttributesSchema.safeParse({ plan: { tier: 'pro' } }).success).toBe(false);
    expect(AttributesSchema.safeParse({ note: 'x'.repeat(257) }).success).toBe(false);
    expect(AttributesSchema.safeParse({ 'has space': 1 }).success).toBe(false);
    expect(AttributesSchema.safeParse({ ['a'.repeat(65)]: 1 }).success).toBe(false);
  });

  it('allows 50 attributes and refuses the 51st', () => {
    const fifty = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`a${i}`, i]));
    expect(AttributesSchema.safeParse(fifty).success).toBe(true);
    expect(AttributesSchema.safeParse({ ...fifty, a50: 50 }).success).toBe(false);
  });
});

describe('stored profile value', () => {
  it('requires consent, where the inline profile fields do not', () => {
    expect(issuePaths(ProfileSchema, { firstName: 'Ana' })).toEqual(['consent']);
    expect(ProfileFieldsSchema.safeParse({ firstName: 'Ana' }).success).toBe(true);
  });

  it('accepts every micromarketing field with consent', () => {
    const profile = {
      firstName: 'Ana',
      relationship: 'lapsed',
      jobTitle: 'Office Manager',
      industry: 'Hospitality',
      companySize: 40,
      needs: ['delivery'],
      loyaltyTier: 'gold',
      loyaltyPoints: 1200,
      lastPurchaseAt: '2026-01-02T10:00:00Z',
      priceSensitivity: 'high',
      attributes: { plan: 'pro' },
      consent,
    };
    expect(ProfileSchema.parse(profile)).toEqual(profile);
  });

  it('names each field that is out of range or of an unknown kind', () => {
    expect(
      issuePaths(ProfileSchema, {
        relationship: 'friend',
        companySize: -1,
        loyaltyPoints: -5,
        priceSensitivity: 'extreme',
        lastPurchaseAt: 'yesterday',
        consent,
      }),
    ).toEqual(['companySize', 'lastPurchaseAt', 'loyaltyPoints', 'priceSensitivity', 'relationship']);
    expect(issuePaths(ProfileFieldsSchema, { favouriteColour: 'blue' })).toEqual(['']);
  });
});
