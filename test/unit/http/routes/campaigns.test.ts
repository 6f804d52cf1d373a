import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { AudienceSchema, audienceIssues, campaignPatchIssues } from '../../../../shared/domain/targeting/index.js';
import { CampaignCreateSchema, CampaignPatchSchema, CampaignSchema } from '../../../../shared/http/routes/campaigns.js';
import { AUDIENCE_EXAMPLES } from '../../../support/audience-examples.js';

/** Paths of the issues a schema reports for a value, dotted, sorted. */
function issuePaths(schema: z.ZodType, value: unknown): string[] {
  const result = schema.safeParse(value);
  expect(result.success).toBe(false);
  return result.success ? [] : result.error.issues.map((i) => i.path.join('.')).sort();
}

const offer = { title: 'Hi {{firstName}}', body: '10% off at {{storeName}}, {{distanceM}} m away', validForMinutes: 60 };
const campaign = { name: 'Spring', kind: 'location', geofenceIds: ['gf_1'], offer };

describe('campaign create schema', () => {
  it.each(AUDIENCE_EXAMPLES.map((e) => [e.kind, e] as const))(
    'accepts the %s example audience inside a campaign',
    (_kind, example) => {
      const parsed = CampaignCreateSchema.parse({ ...campaign, audience: example.audience });
      expect(parsed.audience).toEqual(example.audience);
      expect(AudienceSchema.parse(example.audience)).toEqual(example.audience);
      expect(audienceIssues(example.audience)).toEqual([]);
    },
  );

  it('applies the documented defaults', () => {
    expect(CampaignCreateSchema.parse(campaign)).toEqual({
      ...campaign,
      status: 'draft',
      holdoutPercent: 0,
      priority: 0,
      minConfidence: 'low',
      trigger: 'enter',
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
    expect(
      issuePaths(CampaignCreateSchema, { ...campaign, kind: 'local_partner', holdoutPercent: 51, geofenceIds: 'gf_1' }),
    ).toEqual(['geofenceIds', 'holdoutPercent', 'partnerId']);
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

  it('refuses geofence and partner ids that no resource can have, like every other id field', () => {
    expect(issuePaths(CampaignCreateSchema, { ...campaign, geofenceIds: ['gf_1', 'a/b'] })).toEqual(['geofenceIds.1']);
    expect(issuePaths(CampaignCreateSchema, { ...campaign, kind: 'local_partner', partnerId: 'ptn 1' })).toEqual(['partnerId']);
    expect(issuePaths(CampaignPatchSchema, { geofenceIds: ['x'.repeat(129)] })).toEqual(['geofenceIds.0']);
  });

  it('limits name length to 200 characters, and trims it like every resource name', () => {
    expect(CampaignCreateSchema.safeParse({ ...campaign, name: 'n'.repeat(200) }).success).toBe(true);
    expect(issuePaths(CampaignCreateSchema, { ...campaign, name: 'n'.repeat(201) })).toEqual(['name']);
    expect(issuePaths(CampaignCreateSchema, { ...campaign, name: '' })).toEqual(['name']);
    expect(issuePaths(CampaignCreateSchema, { ...campaign, name: '   ' })).toEqual(['name']);
    expect(CampaignCreateSchema.parse({ ...campaign, name: ' Spring ' }).name).toBe('Spring');
  });

  it('names the field of a bad schedule inside the campaign', () => {
    expect(issuePaths(CampaignCreateSchema, { ...campaign, schedule: { timezone: 'Mars/Olympus_Mons' } })).toEqual([
      'schedule.timezone',
    ]);
    expect(
      issuePaths(CampaignCreateSchema, { ...campaign, schedule: { timezone: 'UTC', hours: { from: '25:00', to: '02:00' } } }),
    ).toEqual(['schedule.hours.from']);
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
    expect(
      issuePaths(CampaignPatchSchema, {
        holdoutPercent: 51,
        schedule: { timezone: 'UTC', hours: { from: '25:00', to: '01:00' } },
      }),
    ).toEqual(['holdoutPercent', 'schedule.hours.from']);
    expect(issuePaths(CampaignPatchSchema, { offer: null })).toEqual(['offer']);
  });

  it('gives the service what campaignPatchIssues checks against the stored campaign', () => {
    const partnerCampaign = { kind: 'local_partner' as const, partnerId: 'ptn_1' };
    expect(campaignPatchIssues(partnerCampaign, CampaignPatchSchema.parse({ name: 'x' }))).toEqual([]);
    expect(
      campaignPatchIssues(partnerCampaign, CampaignPatchSchema.parse({ partnerId: null })).map((i) => i.path.join('.')),
    ).toEqual(['partnerId']);
  });
});

describe('campaign JSON Schema output', () => {
  it.each(Object.entries({ CampaignCreateSchema, CampaignPatchSchema }))(
    'converts %s to a closed, described JSON Schema',
    (_name, schema) => {
      for (const io of ['input', 'output'] as const) {
        const json = z.toJSONSchema(schema, { io }) as Record<string, unknown>;
        expect(json.type).toBe('object');
        expect(json.additionalProperties).toBe(false);
        expect(typeof json.description).toBe('string');
      }
    },
  );

  it('documents limits, defaults and rule shapes for the OpenAPI document', () => {
    const json = z.toJSONSchema(CampaignCreateSchema, { io: 'input' }) as {
      properties: Record<string, Record<string, unknown>>;
      required: string[];
    };
    expect(json.required.sort()).toEqual(['geofenceIds', 'kind', 'name', 'offer']);
    expect(json.properties.holdoutPercent).toMatchObject({ type: 'integer', minimum: 0, maximum: 50, default: 0 });
    expect(json.properties.geofenceIds).toMatchObject({ type: 'array', minItems: 1, maxItems: 100 });
    const rules = (json.properties.audience as { properties: { rules: { maxItems: number; items: { oneOf: unknown[] } } } })
      .properties.rules;
    expect(rules.maxItems).toBe(50);
    expect(rules.items.oneOf).toHaveLength(7);
  });

  it("describes the campaign response with the create body's description, open to added fields", () => {
    const json = z.toJSONSchema(CampaignSchema, { io: 'output' }) as Record<string, unknown>;
    expect(json.description).toBe('A micromarketing campaign.');
    expect(json.additionalProperties).toEqual({});
    expect((json.properties as Record<string, { enum?: string[] }>).status.enum).toEqual(['draft', 'active', 'paused']);
  });
});
