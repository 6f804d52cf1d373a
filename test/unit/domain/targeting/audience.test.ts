import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  evaluateAudience,
  evaluateRule,
  isPresent,
  type AudienceRuleInput,
  type ProfileFields,
} from '../../../../shared/domain/targeting/index.js';

const NOW = new Date('2026-05-15T10:00:00Z');
const rule = (r: AudienceRuleInput, p: ProfileFields) => evaluateRule(r, p, NOW);

describe('evaluateAudience', () => {
  it('takes everyone when there is no audience or no rules', () => {
    expect(evaluateAudience(undefined, {}, NOW)).toBe(true);
    expect(evaluateAudience(null, {}, NOW)).toBe(true);
    expect(evaluateAudience({ match: 'all', rules: [] }, {}, NOW)).toBe(true);
    expect(evaluateAudience({ match: 'any', rules: [] }, {}, NOW)).toBe(true);
  });

  it('needs every rule with match "all" (the default) and one rule with match "any"', () => {
    const rules: AudienceRuleInput[] = [
      { attribute: 'relationship', op: 'eq', value: 'customer' },
      { attribute: 'priceSensitivity', op: 'eq', value: 'high' },
    ];
    const one: ProfileFields = { relationship: 'customer', priceSensitivity: 'low' };
    const both: ProfileFields = { relationship: 'customer', priceSensitivity: 'high' };
    const none: ProfileFields = { relationship: 'prospect' };
    expect([one, both, none].map((p) => evaluateAudience({ rules }, p, NOW))).toEqual([false, true, false]);
    expect([one, both, none].map((p) => evaluateAudience({ match: 'all', rules }, p, NOW))).toEqual([false, true, false]);
    expect([one, both, none].map((p) => evaluateAudience({ match: 'any', rules }, p, NOW))).toEqual([true, true, false]);
  });
});

describe('audience rules', () => {
  it('eq compares text trimmed and case-insensitively, numbers and booleans exactly, never across types', () => {
    expect(rule({ attribute: 'industry', op: 'eq', value: 'retail' }, { industry: '  RETAIL ' })).toBe(true);
    expect(rule({ attribute: 'companySize', op: 'eq', value: 5 }, { companySize: 5 })).toBe(true);
    expect(rule({ attribute: 'companySize', op: 'eq', value: 5 }, { companySize: 6 })).toBe(false);
    expect(rule({ attribute: 'attributes.vip', op: 'eq', value: true }, { attributes: { vip: true } })).toBe(true);
    expect(rule({ attribute: 'attributes.vip', op: 'eq', value: true }, { attributes: { vip: 'true' } })).toBe(false);
    expect(rule({ attribute: 'attributes.visits', op: 'eq', value: 5 }, { attributes: { visits: '5' } })).toBe(false);
  });

  it('neq and nin also match shoppers without the attribute, so exclusions keep unknown shoppers', () => {
    const notTobacco: AudienceRuleInput = { attribute: 'industry', op: 'nin', value: ['Tobacco', 'Gambling'] };
    expect(rule(notTobacco, { industry: 'tobacco' })).toBe(false);
    expect(rule(notTobacco, { industry: 'Retail' })).toBe(true);
    expect(rule(notTobacco, {})).toBe(true);
    expect(rule({ attribute: 'relationship', op: 'neq', value: 'customer' }, {})).toBe(true);
    expect(rule({ attribute: 'relationship', op: 'neq', value: 'customer' }, { relationship: 'customer' })).toBe(false);
  });

  it('requires a known value when neq is combined with exists', () => {
    const audience = {
      match: 'all' as const,
      rules: [
        { attribute: 'industry', op: 'exists' as const },
        { attribute: 'industry', op: 'neq' as const, value: 'Tobacco' },
      ],
    };
    expect(evaluateAudience(audience, {}, NOW)).toBe(false);
    expect(evaluateAudience(audience, { industry: 'Retail' }, NOW)).toBe(true);
    expect(evaluateAudience(audience, { industry: 'Tobacco' }, NOW)).toBe(false);
  });

  it('is false for eq, in, gte, lte, between, containsAny and day rules on a missing attribute', () => {
    const rules: AudienceRuleInput[] = [
      { attribute: 'industry', op: 'eq', value: 'Retail' },
      { attribute: 'industry', op: 'in', value: ['Retail'] },
      { attribute: 'loyaltyPoints', op: 'gte', value: 0 },
      { attribute: 'loyaltyPoints', op: 'lte', value: 1e9 },
      { attribute: 'companySize', op: 'between', value: [0, 1e6] },
      { attribute: 'needs', op: 'containsAny', value: ['vegan'] },
      { attribute: 'lastPurchaseAt', op: 'olderThanDays', value: 1 },
      { attribute: 'lastPurchaseAt', op: 'withinDays', value: 36500 },
      { attribute: 'attributes.homeCity', op: 'eq', value: 'Madrid' },
    ];
    expect(rules.map((r) => rule(r, {}))).toEqual(rules.map(() => false));
    expect(rules.map((r) => rule(r, { attributes: {} }))).toEqual(rules.map(() => false));
  });

  it('exists is true for set, non-blank values and exists:false for absent, blank or empty ones', () => {
    const has: AudienceRuleInput = { attribute: 'jobTitle', op: 'exists' };
    const hasNot: AudienceRuleInput = { attribute: 'jobTitle', op: 'exists', value: false };
    expect([{ jobTitle: 'Chef' }, { jobTitle: '   ' }, {}].map((p) => rule(has, p))).toEqual([true, false, false]);
    expect([{ jobTitle: 'Chef' }, { jobTitle: '   ' }, {}].map((p) => rule(hasNot, p))).toEqual([false, true, true]);
    expect(rule({ attribute: 'needs', op: 'exists' }, { needs: [] })).toBe(false);
    expect(rule({ attribute: 'attributes.optIn', op: 'exists' }, { attributes: { optIn: false } })).toBe(true);
    expect(rule({ attribute: 'companySize', op: 'exists' }, { companySize: 0 })).toBe(true);
  });

  it('gte, lte and between compare numbers, and ISO dates as instants', () => {
    expect(rule({ attribute: 'loyaltyPoints', op: 'gte', value: 100 }, { loyaltyPoints: 100 })).toBe(true);
    expect(rule({ attribute: 'loyaltyPoints', op: 'gte', value: 100 }, { loyaltyPoints: 99.5 })).toBe(false);
    expect(rule({ attribute: 'loyaltyPoints', op: 'lte', value: 100 }, { loyaltyPoints: 100 })).toBe(true);
    expect(rule({ attribute: 'loyaltyPoints', op: 'lte', value: 100 }, { loyaltyPoints: 101 })).toBe(false);
    const since: AudienceRuleInput = { attribute: 'lastPurchaseAt', op: 'gte', value: '2026-01-01T00:00:00Z' };
    expect(rule(since, { lastPurchaseAt: '2026-01-01T01:00:00+01:00' })).toBe(true);
    expect(rule(since, { lastPurchaseAt: '2025-12-31T23:59:59Z' })).toBe(false);
    const q1: AudienceRuleInput = { attribute: 'lastPurchaseAt', op: 'between', value: ['2026-01-01', '2026-03-31T23:59:59Z'] };
    expect(rule(q1, { lastPurchaseAt: '2026-03-31T23:59:59Z' })).toBe(true);
    expect(rule(q1, { lastPurchaseAt: '2026-04-01T00:00:00Z' })).toBe(false);
    expect(
      rule({ attribute: 'attributes.signupDate', op: 'lte', value: '2020-01-01' }, { attributes: { signupDate: '2019-06-01' } }),
    ).toBe(true);
    expect(rule({ attribute: 'attributes.tier', op: 'gte', value: 2 }, { attributes: { tier: 'gold' } })).toBe(false);
    expect(rule({ attribute: 'lastPurchaseAt', op: 'gte', value: 5 }, { lastPurchaseAt: '2026-01-01T00:00:00Z' })).toBe(false);
  });

  it('containsAny intersects a list case-insensitively and treats a single value as a one-item list', () => {
    const r: AudienceRuleInput = { attribute: 'needs', op: 'containsAny', value: ['Parking', 'delivery'] };
    expect(rule(r, { needs: ['wifi', 'DELIVERY'] })).toBe(true);
    expect(rule(r, { needs: ['wifi'] })).toBe(false);
    expect(
      rule({ attribute: 'attributes.diet', op: 'containsAny', value: ['vegan', 'keto'] }, { attributes: { diet: 'Vegan' } }),
    ).toBe(true);
  });

  it('eq and in on a list field match when any item does', () => {
    expect(rule({ attribute: 'needs', op: 'eq', value: 'vegan' }, { needs: ['halal', 'Vegan'] })).toBe(true);
    expect(rule({ attribute: 'needs', op: 'in', value: ['kosher'] }, { needs: ['halal', 'Vegan'] })).toBe(false);
    expect(rule({ attribute: 'needs', op: 'nin', value: ['kosher'] }, { needs: ['halal', 'Vegan'] })).toBe(true);
  });

  it('olderThanDays and withinDays split dates at exactly N days before now', () => {
    const at = (ms: number) => ({ lastPurchaseAt: new Date(NOW.getTime() - ms).toISOString() });
    const d90 = 90 * 86_400_000;
    const older: AudienceRuleInput = { attribute: 'lastPurchaseAt', op: 'olderThanDays', value: 90 };
    const within: AudienceRuleInput = { attribute: 'lastPurchaseAt', op: 'withinDays', value: 90 };
    expect([at(d90 + 1000), at(d90), at(d90 - 1000), at(-3_600_000)].map((p) => rule(older, p))).toEqual([
      true,
      false,
      false,
      false,
    ]);
    expect([at(d90 + 1000), at(d90), at(d90 - 1000), at(-3_600_000)].map((p) => rule(within, p))).toEqual([
      false,
      true,
      true,
      true,
    ]);
    expect(rule(older, { lastPurchaseAt: 'not a date' } as ProfileFields)).toBe(false);
    expect(rule(within, {})).toBe(false);
  });

  it('ignores inherited properties such as attributes.constructor', () => {
    expect(rule({ attribute: 'attributes.constructor', op: 'exists' }, { attributes: {} })).toBe(false);
    expect(rule({ attribute: 'attributes.toString', op: 'exists' }, {})).toBe(false);
  });

  it('never matches an unknown op', () => {
    expect(rule({ attribute: 'industry', op: 'like', value: 'x' } as unknown as AudienceRuleInput, { industry: 'x' })).toBe(
      false,
    );
  });

  it('treats neq as the negation of eq and nin as the negation of in, for any profile', () => {
    const scalar = fc.oneof(fc.constantFrom('Retail', 'retail ', 'Tobacco', ''), fc.integer({ min: -3, max: 3 }), fc.boolean());
    const maybe = fc.option(scalar, { nil: undefined });
    fc.assert(
      fc.property(maybe, scalar, fc.array(scalar, { minLength: 1, maxLength: 4 }), (value, probe, list) => {
        const p: ProfileFields = value === undefined ? { attributes: {} } : { attributes: { x: value } };
        const a = 'attributes.x';
        expect(rule({ attribute: a, op: 'neq', value: probe }, p)).toBe(!rule({ attribute: a, op: 'eq', value: probe }, p));
        expect(rule({ attribute: a, op: 'nin', value: list }, p)).toBe(!rule({ attribute: a, op: 'in', value: list }, p));
      }),
    );
  });

  it('puts every present date in exactly one of olderThanDays N and withinDays N', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -10 * 86_400_000, max: 400 * 86_400_000 }),
        fc.integer({ min: 1, max: 365 }),
        (ageMs, days) => {
          const p: ProfileFields = { lastPurchaseAt: new Date(NOW.getTime() - ageMs).toISOString() };
          const older = rule({ attribute: 'lastPurchaseAt', op: 'olderThanDays', value: days }, p);
          const within = rule({ attribute: 'lastPurchaseAt', op: 'withinDays', value: days }, p);
          expect(older !== within).toBe(true);
        },
      ),
    );
  });
});

describe('isPresent', () => {
  it('counts set values and not blanks, empty lists, null or NaN', () => {
    expect([0, false, 'a', ['x']].map(isPresent)).toEqual([true, true, true, true]);
    expect([undefined, null, '', '  ', [], [''], Number.NaN].map(isPresent)).toEqual([
      false,
      false,
      false,
      false,
      false,
      false,
      false,
    ]);
  });
});
