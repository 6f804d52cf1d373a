import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { campaignPartnerIssues, campaignPatchIssues, OfferTemplateSchema } from '../../../../shared/domain/targeting/index.js';

/** Paths of the issues a schema reports for a value, dotted, sorted. */
function issuePaths(schema: z.ZodType, value: unknown): string[] {
  const result = schema.safeParse(value);
  expect(result.success).toBe(false);
  return result.success ? [] : result.error.issues.map((i) => i.path.join('.')).sort();
}

describe('offer template schema', () => {
  it('limits title, body, code and validity', () => {
    expect(
      OfferTemplateSchema.safeParse({
        title: 't'.repeat(200),
        body: 'b'.repeat(2000),
        code: 'c'.repeat(64),
        validForMinutes: 43_200,
      }).success,
    ).toBe(true);
    expect(
      issuePaths(OfferTemplateSchema, {
        title: 't'.repeat(201),
        body: 'b'.repeat(2001),
        code: 'c'.repeat(65),
        validForMinutes: 43_201,
      }),
    ).toEqual(['body', 'code', 'title', 'validForMinutes']);
    expect(issuePaths(OfferTemplateSchema, { title: 'x', body: 'y', validForMinutes: 0 })).toEqual(['validForMinutes']);
    expect(issuePaths(OfferTemplateSchema, { title: 'x', body: 'y', validForMinutes: 1.5 })).toEqual(['validForMinutes']);
  });

  it('refuses unknown placeholders so a typo does not silently disappear', () => {
    expect(issuePaths(OfferTemplateSchema, { title: 'Hi {{firstname}}', body: 'See {{store}}', validForMinutes: 5 })).toEqual([
      'body',
      'title',
    ]);
  });

  it('converts to a closed, described JSON Schema', () => {
    for (const io of ['input', 'output'] as const) {
      const json = z.toJSONSchema(OfferTemplateSchema, { io }) as Record<string, unknown>;
      expect(json.type).toBe('object');
      expect(json.additionalProperties).toBe(false);
      expect(typeof json.description).toBe('string');
    }
  });
});

describe('campaign partner rule', () => {
  it('requires a partner on local_partner campaigns and refuses one on location campaigns', () => {
    expect(campaignPartnerIssues('local_partner', undefined).map((i) => i.path.join('.'))).toEqual(['partnerId']);
    expect(campaignPartnerIssues('local_partner', null).map((i) => i.path.join('.'))).toEqual(['partnerId']);
    expect(campaignPartnerIssues('local_partner', 'ptn_1')).toEqual([]);
    expect(campaignPartnerIssues('location', 'ptn_1').map((i) => i.message)).toEqual([
      'only local_partner campaigns have a partner; use kind "local_partner"',
    ]);
    expect(campaignPartnerIssues('location', undefined)).toEqual([]);
  });

  it('keeps local partner campaigns attached to a partner', () => {
    const partnerCampaign = { kind: 'local_partner' as const, partnerId: 'ptn_1' };
    expect(campaignPatchIssues(partnerCampaign, { name: 'x' })).toEqual([]);
    expect(campaignPatchIssues(partnerCampaign, { partnerId: 'ptn_2' })).toEqual([]);
    expect(campaignPatchIssues(partnerCampaign, { partnerId: null }).map((i) => i.path.join('.'))).toEqual(['partnerId']);
    expect(campaignPatchIssues({ kind: 'location' }, { partnerId: 'ptn_2' }).map((i) => i.path.join('.'))).toEqual(['partnerId']);
    expect(campaignPatchIssues({ kind: 'location' }, { partnerId: null })).toEqual([]);
  });
});
