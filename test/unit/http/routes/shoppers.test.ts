import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { ShopperProfileSchema } from '../../../../shared/http/routes/shoppers.js';

/** Paths of the issues a schema reports for a value, dotted, sorted. */
function issuePaths(schema: z.ZodType, value: unknown): string[] {
  const result = schema.safeParse(value);
  expect(result.success).toBe(false);
  return result.success ? [] : result.error.issues.map((i) => i.path.join('.')).sort();
}

const consent = { location: true, marketing: true };

describe('shopper profile schema (PUT /v1/shoppers/{shopperId})', () => {
  const profile = {
    firstName: 'Ana',
    relationship: 'customer',
    jobTitle: 'Office Manager',
    industry: 'Hospitality',
    companySize: 40,
    needs: ['delivery'],
    loyaltyTier: 'gold',
    loyaltyPoints: 1200.5,
    lastPurchaseAt: '2026-04-01T10:00:00Z',
    priceSensitivity: 'medium',
    attributes: { homeNeighbourhood: 'Gràcia', visits: 12, vip: true },
    consent: { location: true, marketing: false },
  };

  it('accepts a full profile and requires consent', () => {
    expect(ShopperProfileSchema.parse(profile)).toEqual(profile);
    const { consent: _consent, ...withoutConsent } = profile;
    expect(issuePaths(ShopperProfileSchema, withoutConsent)).toEqual(['consent']);
    expect(issuePaths(ShopperProfileSchema, { consent: { location: true } })).toEqual(['consent.marketing']);
  });

  it('refuses out-of-range values, naming each field', () => {
    expect(
      issuePaths(ShopperProfileSchema, {
        relationship: 'friend',
        companySize: -1,
        loyaltyPoints: -5,
        priceSensitivity: 'none',
        lastPurchaseAt: 'last week',
        needs: Array(51).fill('x'),
        firstName: 'f'.repeat(201),
        nickname: 'Ani',
        consent,
      }),
    ).toEqual(['', 'companySize', 'firstName', 'lastPurchaseAt', 'loyaltyPoints', 'needs', 'priceSensitivity', 'relationship']);
    expect(issuePaths(ShopperProfileSchema, { companySize: 2.5, consent })).toEqual(['companySize']);
  });

  it('limits attributes to 50 well-named keys with short scalar values', () => {
    const fifty = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`a${i}`, i]));
    expect(ShopperProfileSchema.safeParse({ attributes: fifty, consent }).success).toBe(true);
    expect(issuePaths(ShopperProfileSchema, { attributes: { ...fifty, a50: 1 }, consent })).toEqual(['attributes']);
    expect(issuePaths(ShopperProfileSchema, { attributes: { 'home city': 'x' }, consent })).toEqual(['attributes.home city']);
    expect(issuePaths(ShopperProfileSchema, { attributes: { note: 'x'.repeat(257) }, consent })).toEqual(['attributes.note']);
    expect(issuePaths(ShopperProfileSchema, { attributes: { tags: ['a'] }, consent })).toEqual(['attributes.tags']);
    expect(issuePaths(ShopperProfileSchema, { attributes: { k: null }, consent })).toEqual(['attributes.k']);
  });

  it('converts to a closed, described JSON Schema that documents the attribute limits', () => {
    for (const io of ['input', 'output'] as const) {
      const json = z.toJSONSchema(ShopperProfileSchema, { io }) as Record<string, unknown>;
      expect(json.type).toBe('object');
      expect(json.additionalProperties).toBe(false);
      expect(json.description).toBe('Shopper profile. PUT replaces the whole profile.');
    }
    const json = z.toJSONSchema(ShopperProfileSchema) as unknown as { properties: { attributes: Record<string, unknown> } };
    expect(json.properties.attributes).toMatchObject({ maxProperties: 50, propertyNames: { pattern: '^[A-Za-z0-9_]{1,64}$' } });
  });
});
