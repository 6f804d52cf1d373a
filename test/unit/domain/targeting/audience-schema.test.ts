import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { AudienceSchema, audienceIssues } from '../../../../shared/domain/targeting/index.js';

/** Paths of the issues a schema reports for a value, dotted, sorted. */
function issuePaths(schema: z.ZodType, value: unknown): string[] {
  const result = schema.safeParse(value);
  expect(result.success).toBe(false);
  return result.success ? [] : result.error.issues.map((i) => i.path.join('.')).sort();
}

describe('audience schema', () => {
  it('defaults match to "all" and exists to true', () => {
    expect(AudienceSchema.parse({ rules: [{ attribute: 'industry', op: 'exists' }] })).toEqual({
      match: 'all',
      rules: [{ attribute: 'industry', op: 'exists', value: true }],
    });
  });

  it('checks the value shape each op needs', () => {
    const rules = [
      { attribute: 'companySize', op: 'between', value: [10] },
      { attribute: 'industry', op: 'in', value: 'Retail' },
      { attribute: 'needs', op: 'containsAny', value: [] },
      { attribute: 'lastPurchaseAt', op: 'olderThanDays', value: 0 },
      { attribute: 'lastPurchaseAt', op: 'withinDays', value: -3 },
      { attribute: 'industry', op: 'exists', value: 'yes' },
      { attribute: 'industry', op: 'eq' },
      { attribute: 'industry', op: 'like', value: 'x' },
    ];
    expect(issuePaths(AudienceSchema, { rules })).toEqual([
      'rules.0.value',
      'rules.1.value',
      'rules.2.value',
      'rules.3.value',
      'rules.4.value',
      'rules.5.value',
      'rules.6.value',
      'rules.7.op',
    ]);
  });

  it('refuses unknown attributes and badly named custom attributes', () => {
    expect(
      issuePaths(AudienceSchema, {
        rules: [
          { attribute: 'shoeSize', op: 'eq', value: 42 },
          { attribute: 'attributes.home-city', op: 'eq', value: 'x' },
          { attribute: 'attributes.', op: 'exists' },
          { attribute: 'consent', op: 'exists' },
        ],
      }),
    ).toEqual(['rules.0.attribute', 'rules.1.attribute', 'rules.2.attribute', 'rules.3.attribute']);
  });

  it('refuses ops and values that do not suit the field', () => {
    const rules = [
      { attribute: 'jobTitle', op: 'gte', value: 3 },
      { attribute: 'companySize', op: 'containsAny', value: ['10'] },
      { attribute: 'companySize', op: 'olderThanDays', value: 30 },
      { attribute: 'lastPurchaseAt', op: 'eq', value: '2026-01-01T00:00:00Z' },
      { attribute: 'relationship', op: 'eq', value: 'custmer' },
      { attribute: 'priceSensitivity', op: 'in', value: ['high', 'extreme'] },
      { attribute: 'companySize', op: 'gte', value: '50' },
      { attribute: 'lastPurchaseAt', op: 'gte', value: 5 },
      { attribute: 'companySize', op: 'between', value: [250, 10] },
      { attribute: 'attributes.score', op: 'between', value: [1, '2026-01-01'] },
    ];
    expect(issuePaths(AudienceSchema, { rules })).toEqual([
      'rules.0.op',
      'rules.1.op',
      'rules.2.op',
      'rules.3.op',
      'rules.4.value',
      'rules.5.value.1',
      'rules.6.value',
      'rules.7.value',
      'rules.8.value',
      'rules.9.value',
    ]);
  });

  it('accepts enum values in any case, custom attributes of any type and date bounds in order', () => {
    const audience = {
      match: 'any',
      rules: [
        { attribute: 'relationship', op: 'eq', value: 'Customer' },
        { attribute: 'attributes.score', op: 'gte', value: 3 },
        { attribute: 'attributes.memberSince', op: 'lte', value: '2020-01-01' },
        { attribute: 'lastPurchaseAt', op: 'between', value: ['2026-01-01', '2026-03-31T23:59:59Z'] },
      ],
    };
    expect(AudienceSchema.safeParse(audience).success).toBe(true);
  });

  it('refuses date bounds in the wrong order, comparing them as instants', () => {
    const between = (value: unknown) => ({ rules: [{ attribute: 'lastPurchaseAt', op: 'between', value }] });
    expect(issuePaths(AudienceSchema, between(['2026-03-31', '2026-01-01T00:00:00Z']))).toEqual(['rules.0.value']);
    expect(AudienceSchema.safeParse(between(['2026-01-01T01:00:00+02:00', '2025-12-31T23:30:00Z'])).success).toBe(true);
  });

  it('limits rules to 50 and value lists to 100', () => {
    const rule = { attribute: 'industry', op: 'exists' };
    expect(AudienceSchema.safeParse({ rules: Array(50).fill(rule) }).success).toBe(true);
    expect(issuePaths(AudienceSchema, { rules: Array(51).fill(rule) })).toEqual(['rules']);
    const values = Array.from({ length: 101 }, (_, i) => `industry ${i}`);
    expect(issuePaths(AudienceSchema, { rules: [{ attribute: 'industry', op: 'in', value: values }] })).toEqual([
      'rules.0.value',
    ]);
    expect(issuePaths(AudienceSchema, { rules: [{ attribute: 'industry', op: 'eq', value: 'x'.repeat(257) }] })).toEqual([
      'rules.0.value',
    ]);
  });

  it('reports each problem once', () => {
    const result = AudienceSchema.safeParse({ rules: [{ attribute: 'shoeSize', op: 'eq', value: 1 }] });
    expect(result.error?.issues.map((i) => [i.path.join('.'), i.message])).toEqual([
      [
        'rules.0.attribute',
        'must be a profile field (firstName, relationship, jobTitle, industry, companySize, needs, loyaltyTier, loyaltyPoints, lastPurchaseAt, priceSensitivity) or "attributes.<name>"',
      ],
    ]);
  });

  it('audienceIssues also reports malformed rules when used on its own', () => {
    expect(
      audienceIssues({
        rules: [
          null,
          { attribute: 'shoeSize', op: 'eq' },
          { attribute: 'industry', op: 'like' },
          { attribute: 'companySize', op: 'eq', value: 'ten' },
        ],
      }).map((i) => i.path.join('.')),
    ).toEqual(['rules.0', 'rules.1.attribute', 'rules.2.op', 'rules.3.value']);
    expect(audienceIssues(undefined)).toEqual([]);
  });

  it('converts to a closed, described JSON Schema', () => {
    for (const io of ['input', 'output'] as const) {
      const json = z.toJSONSchema(AudienceSchema, { io }) as Record<string, unknown>;
      expect(json.type).toBe('object');
      expect(json.additionalProperties).toBe(false);
      expect(typeof json.description).toBe('string');
    }
  });
});
