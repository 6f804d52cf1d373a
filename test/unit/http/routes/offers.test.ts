import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import {
  ConversionSchema,
  InlineProfileSchema,
  OfferRequestSchema,
  RedeemSchema,
} from '../../../../shared/http/routes/offers.js';

/** Paths of the issues a schema reports for a value, dotted, sorted. */
function issuePaths(schema: z.ZodType, value: unknown): string[] {
  const result = schema.safeParse(value);
  expect(result.success).toBe(false);
  return result.success ? [] : result.error.issues.map((i) => i.path.join('.')).sort();
}

describe('offer request schema (POST /v1/offers)', () => {
  const request = { shopperId: 'shopper-1', location: { lat: 41.39, lng: 2.16 } };

  it('accepts a shopper at a location, with an optional accuracy, instant and inline profile', () => {
    expect(OfferRequestSchema.parse(request)).toEqual(request);
    const full = {
      ...request,
      location: { ...request.location, accuracyM: 25 },
      at: '2026-06-01T10:00:00+02:00',
      profile: { firstName: 'Ana' },
    };
    expect(OfferRequestSchema.parse(full)).toEqual(full);
  });

  it('lets the shopper id be omitted (a publishable key then acts for its Shopper-Token; the service requires it of secret keys)', () => {
    expect(OfferRequestSchema.parse({ location: request.location })).toEqual({ location: request.location });
    const json = z.toJSONSchema(OfferRequestSchema, { io: 'input' }) as { required?: string[]; properties: Record<string, any> };
    expect(json.required).toEqual(['location']);
    expect(json.properties.shopperId.description).toMatch(/Shopper-Token/);
  });

  it('refuses out-of-range coordinates, unknown location fields and a malformed shopper id', () => {
    expect(issuePaths(OfferRequestSchema, { ...request, location: { lat: 91, lng: -181 } })).toEqual([
      'location.lat',
      'location.lng',
    ]);
    expect(issuePaths(OfferRequestSchema, { ...request, location: { ...request.location, altitude: 3 } })).toEqual(['location']);
    expect(issuePaths(OfferRequestSchema, { ...request, location: { ...request.location, accuracyM: -1 } })).toEqual([
      'location.accuracyM',
    ]);
    expect(issuePaths(OfferRequestSchema, { ...request, shopperId: 'ana@example.com' })).toEqual(['shopperId']);
  });

  it('makes every inline profile field optional, consent included, and refuses unknown ones', () => {
    expect(InlineProfileSchema.parse({})).toEqual({});
    expect(InlineProfileSchema.parse({ consent: { location: false, marketing: false } })).toEqual({
      consent: { location: false, marketing: false },
    });
    expect(issuePaths(InlineProfileSchema, { email: 'a@b.c' })).toEqual(['']);
    expect(issuePaths(OfferRequestSchema, { ...request, profile: { companySize: -1 } })).toEqual(['profile.companySize']);
  });

  it('converts the inline profile to a closed, described JSON Schema', () => {
    for (const io of ['input', 'output'] as const) {
      const json = z.toJSONSchema(InlineProfileSchema, { io }) as Record<string, unknown>;
      expect(json.type).toBe('object');
      expect(json.additionalProperties).toBe(false);
      expect(json.description).toMatch(/^Profile fields sent with an offer request/);
    }
  });
});

describe('redemption and conversion schemas', () => {
  it('accepts an empty redemption and refuses a negative amount', () => {
    expect(RedeemSchema.parse({})).toEqual({});
    expect(issuePaths(RedeemSchema, { amount: -1, storeId: 'a/b' })).toEqual(['amount', 'storeId']);
  });

  it('bounds amounts to 1,000,000 with 2 decimals on redemptions and purchases (regression: forged results)', () => {
    for (const schema of [RedeemSchema, ConversionSchema]) {
      const base = schema === ConversionSchema ? { shopperId: 's1' } : {};
      for (const amount of [0, 0.01, 4.5, 18.9, 999_999.99, 1_000_000])
        expect(schema.parse({ ...base, amount })).toEqual({ ...base, amount });
      for (const amount of [1e9, 1_000_000.01, -0.01, 1.001, Number.POSITIVE_INFINITY, Number.NaN, '12'])
        expect(issuePaths(schema, { ...base, amount }), String(amount)).toEqual(['amount']);
    }
    const json = z.toJSONSchema(ConversionSchema, { io: 'input' }) as unknown as {
      properties: { amount: Record<string, unknown> };
    };
    expect(json.properties.amount).toMatchObject({ type: 'number', minimum: 0, maximum: 1_000_000, multipleOf: 0.01 });
  });

  it('requires the shopper of a conversion and checks its instant', () => {
    expect(ConversionSchema.parse({ shopperId: 's1', amount: 12.5, at: '2026-06-01T10:00:00Z' })).toEqual({
      shopperId: 's1',
      amount: 12.5,
      at: '2026-06-01T10:00:00Z',
    });
    expect(issuePaths(ConversionSchema, { at: 'yesterday' })).toEqual(['at', 'shopperId']);
  });
});
