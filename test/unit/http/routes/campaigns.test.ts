import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  AUDIENCE_EXAMPLES,
  AudienceSchema,
  CampaignCreateSchema,
  CampaignPatchSchema,
  InlineProfileSchema,
  OfferTemplateSchema,
  ScheduleSchema,
  ShopperProfileSchema,
  audienceIssues,
  campaignPatchIssues,
} from '../../../shared/domain/targeting/index.js';

/** Paths of the issues a schema reports for a value, dotted, sorted. */
function issuePaths(schema: z.ZodType, value: unknown): string[] {
  const result = schema.safeParse(value);
  expect(result.success).toBe(false);
  return result.success ? [] : result.error.issues.map((i) => i.path.join('.')).sort();
}

const offer = { title: 'Hi {{firstName}}', body: '10% off at {{storeName}}, {{distanceM}} m away', validForMinutes: 60 };
const campaign = { name: 'Spring', kind: 'location', geofenceIds: ['gf_1'], offer };

describe('campaign schema', () => {
  it.each(AUDIENCE_EXAMPLES.map((e) => [e.kind, e] as const))('accepts the %s example audience inside a campaign', (_kind, example) => {
    const parsed = CampaignCreateSchema.parse({ ...campaign, audience: example.audience });
    expect(parsed.audience).toEqual(example.audience);
    expect(AudienceSchema.parse(example.audience)).toEqual(example.audience);
    expect(audienceIssues(example.audience)).toEqual([]);
  });

  it('applies the documented defaults', () => {
    expect(CampaignCreateSchema.parse(campaign)).toEqual({
      ...campaign,
      status: 'draft',
      holdoutPercent: 0,
      priority: 0,
      minConfidence: 'low',
    });
  });

  it('accepts a complete local partner campaign', () => {
    const full = {
      name: 'Coffee next door',
      kind: 'local_partner',
      status: 'active',
      geofenceIds: ['gf_1', 'gf_2'],
      partnerId: 'ptn_cafe',
      audience: { match: 'any', rules: [{ attribute: 'attributes.homeCity', op: 'exists' }] },
      offer: { ...offer, code: 'CAFE10' },
      schedule: {
        startsAt: '2026-06-01T00:00:00Z',
        endsAt: '2026-09-01T00:00:00Z',
        timezone: 'Europe/Madrid',
        daysOfWeek: [5, 6],
        hours: { from: '22:00', to: '02:00' },
      },
      budget: { maxOffers: 10_000_000 },
      frequencyCap: { maxOffers: 1, perHours: 24 },
      holdoutPercent: 50,
      priority: -1000,
      minConfidence: 'high',
    };
    const parsed = CampaignCreateSchema.parse(full);
    expect(parsed.audience?.rules[0]).toEqual({ attribute: 'attributes.homeCity', op: 'exists', value: true });
    expect(parsed.schedule).toEqual(full.schedule);
    expect(parsed.holdoutPercent).toBe(50);
  });

  it('requires a partner for local_partner campaigns and refuses one on location campaigns', () => {
    expect(issuePaths(CampaignCreateSchema, { ...campaign, kind: 'local_partner' })).toEqual(['partnerId']);
    expect(issuePaths(CampaignCreateSchema, { ...campaign, partnerId: 'ptn_1' })).toEqual(['partnerId']);
    expect(issuePaths(CampaignCreateSchema, { ...campaign, kind: 'local_partner', holdoutPercent: 51, geofenceIds: 'gf_1' })).toEqual([
      'geofenceIds',
      'holdoutPercent',
      'partnerId',
    ]);
  });

  it('refuses holdoutPercent above 50, and other out-of-range numbers, naming each field', () => {
    expect(issuePaths(CampaignCreateSchema, { ...campaign, holdoutPercent: 51 })).toEqual(['holdoutPercent']);
    expect(
      issuePaths(CampaignCreateSchema, {
        ...campaign,
        holdoutPercent: 12.5,
        priority: 1001,
        budget: { maxOffers: 0 },
        frequencyCap: { maxOffers: 1001, perHours: 8761 },
        minConfidence: 'certain',
        status: 'archived',
      }),
    ).toEqual([
      'budget.maxOffers',
      'frequencyCap.maxOffers',
      'frequencyCap.perHours',
      'holdoutPercent',
      'minConfidence',
      'priority',
      'status',
    ]);
  });

  it('refuses unknown fields', () => {
    const result = CampaignCreateSchema.safeParse({ ...campaign, colour: 'red' });
    expect(result.success).toBe(false);
    expect(result.error?.issues).toEqual([expect.objectContaining({ code: 'unrecognized_keys', keys: ['colour'] })]);
  });

  it('limits geofenceIds to 1-100 distinct ids', () => {
    expect(issuePaths(CampaignCreateSchema, { ...campaign, geofenceIds: [] })).toEqual(['geofenceIds']);
    const many = Array.from({ length: 101 }, (_, i) => `gf_${i}`);
    expect(issuePaths(CampaignCreateSchema, { ...campaign, geofenceIds: many })).toEqual(['geofenceIds']);
    expect(issuePaths(CampaignCreateSchema, { ...campaign, geofenceIds: ['gf_1', 'gf_1'] })).toEqual(['geofenceIds']);
    expect(CampaignCreateSchema.safeParse({ ...campaign, geofenceIds: many.slice(0, 100) }).success).toBe(true);
  });

  it('limits name length to 200 characters', () => {
    expect(CampaignCreateSchema.safeParse({ ...campaign, name: 'n'.repeat(200) }).success).toBe(true);
    expect(issuePaths(CampaignCreateSchema, { ...campaign, name: 'n'.repeat(201) })).toEqual(['name']);
    expect(issuePaths(CampaignCreateSchema, { ...campaign, name: '' })).toEqual(['name']);
  });
});

describe('schedule schema', () => {
  it('refuses unknown time zones and offsets', () => {
    expect(issuePaths(CampaignCreateSchema, { ...campaign, schedule: { timezone: 'Mars/Olympus_Mons' } })).toEqual([
      'schedule.timezone',
    ]);
    expect(issuePaths(ScheduleSchema, { timezone: '+02:00' })).toEqual(['timezone']);
    expect(issuePaths(ScheduleSchema, {})).toEqual(['timezone']);
  });

  it('refuses "25:00", "12:60" and "9:00"', () => {
    expect(issuePaths(CampaignCreateSchema, { ...campaign, schedule: { timezone: 'UTC', hours: { from: '25:00', to: '02:00' } } })).toEqual([
      'schedule.hours.from',
    ]);
    expect(issuePaths(ScheduleSchema, { timezone: 'UTC', hours: { from: '09:00', to: '12:60' } })).toEqual(['hours.to']);
    expect(issuePaths(ScheduleSchema, { timezone: 'UTC', hours: { from: '9:00', to: '17:00' } })).toEqual(['hours.from']);
  });

  it('refuses an empty daily window and an end before the start', () => {
    expect(issuePaths(ScheduleSchema, { timezone: 'UTC', hours: { from: '10:00', to: '10:00' } })).toEqual(['hours.to']);
    expect(issuePaths(ScheduleSchema, { timezone: 'UTC', startsAt: '2026-06-02T00:00:00Z', endsAt: '2026-06-01T00:00:00Z' })).toEqual(['endsAt']);
    expect(issuePaths(ScheduleSchema, { timezone: 'UTC', startsAt: '2026-06-01T02:00:00+02:00', endsAt: '2026-06-01T00:00:00Z' })).toEqual([
      'endsAt',
    ]);
    expect(issuePaths(ScheduleSchema, { timezone: 'UTC', startsAt: 'tomorrow', endsAt: '2026-06-01T00:00:00Z' })).toEqual(['startsAt']);
    expect(issuePaths(ScheduleSchema, { timezone: 'Nowhere/City', startsAt: '2026-06-02T00:00:00Z', endsAt: '2026-06-01T00:00:00Z' })).toEqual([
      'endsAt',
      'timezone',
    ]);
  });

  it('accepts ISO weekdays 1-7 without repeats', () => {
    expect(ScheduleSchema.safeParse({ timezone: 'UTC', daysOfWeek: [1, 7] }).success).toBe(true);
    expect(issuePaths(ScheduleSchema, { timezone: 'UTC', daysOfWeek: [0, 8] })).toEqual(['daysOfWeek.0', 'daysOfWeek.1']);
    expect(issuePaths(ScheduleSchema, { timezone: 'UTC', daysOfWeek: [1, 1] })).toEqual(['daysOfWeek']);
    expect(issuePaths(ScheduleSchema, { timezone: 'UTC', daysOfWeek: [] })).toEqual(['daysOfWeek']);
  });
});

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

  it('limits rules to 50 and value lists to 100', () => {
    const rule = { attribute: 'industry', op: 'exists' };
    expect(AudienceSchema.safeParse({ rules: Array(50).fill(rule) }).success).toBe(true);
    expect(issuePaths(AudienceSchema, { rules: Array(51).fill(rule) })).toEqual(['rules']);
    const values = Array.from({ length: 101 }, (_, i) => `industry ${i}`);
    expect(issuePaths(AudienceSchema, { rules: [{ attribute: 'industry', op: 'in', value: values }] })).toEqual(['rules.0.value']);
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
        rules: [null, { attribute: 'shoeSize', op: 'eq' }, { attribute: 'industry', op: 'like' }, { attribute: 'companySize', op: 'eq', value: 'ten' }],
      }).map((i) => i.path.join('.')),
    ).toEqual(['rules.0', 'rules.1.attribute', 'rules.2.op', 'rules.3.value']);
    expect(audienceIssues(undefined)).toEqual([]);
  });
});

describe('offer template schema', () => {
  it('limits title, body, code and validity', () => {
    expect(OfferTemplateSchema.safeParse({ title: 't'.repeat(200), body: 'b'.repeat(2000), code: 'c'.repeat(64), validForMinutes: 43_200 }).success).toBe(true);
    expect(
      issuePaths(OfferTemplateSchema, { title: 't'.repeat(201), body: 'b'.repeat(2001), code: 'c'.repeat(65), validForMinutes: 43_201 }),
    ).toEqual(['body', 'code', 'title', 'validForMinutes']);
    expect(issuePaths(OfferTemplateSchema, { title: 'x', body: 'y', validForMinutes: 0 })).toEqual(['validForMinutes']);
    expect(issuePaths(OfferTemplateSchema, { title: 'x', body: 'y', validForMinutes: 1.5 })).toEqual(['validForMinutes']);
  });

  it('refuses unknown placeholders so a typo does not silently disappear', () => {
    expect(issuePaths(OfferTemplateSchema, { title: 'Hi {{firstname}}', body: 'See {{store}}', validForMinutes: 5 })).toEqual(['body', 'title']);
  });
});

describe('shopper profile schemas', () => {
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
        consent: { location: true, marketing: true },
      }),
    ).toEqual(['', 'companySize', 'firstName', 'lastPurchaseAt', 'loyaltyPoints', 'needs', 'priceSensitivity', 'relationship']);
    expect(issuePaths(ShopperProfileSchema, { companySize: 2.5, consent: { location: true, marketing: true } })).toEqual(['companySize']);
  });

  it('limits attributes to 50 well-named keys with short scalar values', () => {
    const fifty = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`a${i}`, i]));
    expect(ShopperProfileSchema.safeParse({ attributes: fifty, consent: { location: true, marketing: true } }).success).toBe(true);
    const consent = { location: true, marketing: true };
    expect(issuePaths(ShopperProfileSchema, { attributes: { ...fifty, a50: 1 }, consent })).toEqual(['attributes']);
    expect(issuePaths(ShopperProfileSchema, { attributes: { 'home city': 'x' }, consent })).toEqual(['attributes.home city']);
    expect(issuePaths(ShopperProfileSchema, { attributes: { note: 'x'.repeat(257) }, consent })).toEqual(['attributes.note']);
    expect(issuePaths(ShopperProfileSchema, { attributes: { tags: ['a'] }, consent })).toEqual(['attributes.tags']);
    expect(issuePaths(ShopperProfileSchema, { attributes: { k: null }, consent })).toEqual(['attributes.k']);
  });

  it('makes every inline field optional, consent included', () => {
    expect(InlineProfileSchema.parse({})).toEqual({});
    expect(InlineProfileSchema.parse({ consent: { location: false, marketing: false } })).toEqual({
      consent: { location: false, marketing: false },
    });
    expect(issuePaths(InlineProfileSchema, { email: 'a@b.c' })).toEqual(['']);
  });
});

describe('campaign patch schema', () => {
  it('applies no defaults, so fields left out keep their value', () => {
    expect(CampaignPatchSchema.parse({})).toEqual({});
    expect(CampaignPatchSchema.parse({ name: 'Renamed' })).toEqual({ name: 'Renamed' });
  });

  it('refuses a change of kind', () => {
    expect(issuePaths(CampaignPatchSchema, { kind: 'location' })).toEqual(['kind']);
  });

  it('accepts null to remove optional parts and validates what it replaces', () => {
    expect(CampaignPatchSchema.parse({ audience: null, schedule: null, budget: null, frequencyCap: null })).toEqual({
      audience: null,
      schedule: null,
      budget: null,
      frequencyCap: null,
    });
    expect(issuePaths(CampaignPatchSchema, { holdoutPercent: 51, schedule: { timezone: 'UTC', hours: { from: '25:00', to: '01:00' } } })).toEqual([
      'holdoutPercent',
      'schedule.hours.from',
    ]);
    expect(issuePaths(CampaignPatchSchema, { offer: null })).toEqual(['offer']);
  });

  it('keeps local partner campaigns attached to a partner', () => {
    const partnerCampaign = { kind: 'local_partner' as const, partnerId: 'ptn_1' };
    expect(campaignPatchIssues(partnerCampaign, CampaignPatchSchema.parse({ name: 'x' }))).toEqual([]);
    expect(campaignPatchIssues(partnerCampaign, CampaignPatchSchema.parse({ partnerId: 'ptn_2' }))).toEqual([]);
    expect(campaignPatchIssues(partnerCampaign, CampaignPatchSchema.parse({ partnerId: null })).map((i) => i.path.join('.'))).toEqual([
      'partnerId',
    ]);
    expect(campaignPatchIssues({ kind: 'location' }, CampaignPatchSchema.parse({ partnerId: 'ptn_2' })).map((i) => i.path.join('.'))).toEqual([
      'partnerId',
    ]);
    expect(campaignPatchIssues({ kind: 'location' }, CampaignPatchSchema.parse({ partnerId: null }))).toEqual([]);
  });
});

describe('JSON Schema output', () => {
  const bodies = {
    ShopperProfileSchema,
    InlineProfileSchema,
    AudienceSchema,
    ScheduleSchema,
    OfferTemplateSchema,
    CampaignCreateSchema,
    CampaignPatchSchema,
  };

  it.each(Object.entries(bodies))('converts %s to a closed, described JSON Schema', (_name, schema) => {
    for (const io of ['input', 'output'] as const) {
      const json = z.toJSONSchema(schema, { io }) as Record<string, unknown>;
      expect(json.type).toBe('object');
      expect(json.additionalProperties).toBe(false);
      expect(typeof json.description).toBe('string');
    }
  });

  it('documents limits, defaults and rule shapes for the OpenAPI document', () => {
    const json = z.toJSONSchema(CampaignCreateSchema, { io: 'input' }) as {
      properties: Record<string, Record<string, unknown>>;
      required: string[];
    };
    expect(json.required.sort()).toEqual(['geofenceIds', 'kind', 'name', 'offer']);
    expect(json.properties.holdoutPercent).toMatchObject({ type: 'integer', minimum: 0, maximum: 50, default: 0 });
    expect(json.properties.geofenceIds).toMatchObject({ type: 'array', minItems: 1, maxItems: 100 });
    const rules = (json.properties.audience as { properties: { rules: { maxItems: number; items: { oneOf: unknown[] } } } }).properties.rules;
    expect(rules.maxItems).toBe(50);
    expect(rules.items.oneOf).toHaveLength(7);
    const profile = z.toJSONSchema(ShopperProfileSchema) as unknown as { properties: { attributes: Record<string, unknown> } };
    expect(profile.properties.attributes).toMatchObject({ maxProperties: 50, propertyNames: { pattern: '^[A-Za-z0-9_]{1,64}$' } });
  });
});
