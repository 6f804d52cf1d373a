import { describe, expect, it } from 'vitest';
import {
  applyCaps,
  planOffers,
  refuseAfterWrite,
  renderOffers,
  selectOffers,
  type CampaignDecision,
  type MatchedFence,
  type OfferCampaign,
  type OfferDecisionInput,
} from '../../../../shared/domain/offers/index.js';
import { holdoutBucket, type Profile } from '../../../../shared/domain/targeting/index.js';

// Wednesday 12 March 2025, 10:00 UTC.
const NOW = new Date('2025-03-12T10:00:00.000Z');
const HOUR = 3_600_000;
const POINT = { lat: 40.4168, lng: -3.7038 };

/** A fence of store `storeId` whose anchor lies 0.001 degrees (111 m) north of the point. */
const fence = (id: string, confidence: MatchedFence['confidence'], storeId: string | null = 'st_sol'): MatchedFence => ({
  fence: { id, storeId, anchor: { lat: POINT.lat + 0.001, lng: POINT.lng } },
  confidence,
});

const campaign = (id: string, over: Partial<OfferCampaign> = {}): OfferCampaign => ({
  id,
  status: 'active',
  geofenceIds: ['gf_1'],
  offer: { title: '{{firstName}}, 10% off at {{storeName}}', body: 'Only {{distanceM}} m away.', code: 'TEN' },
  holdoutPercent: 0,
  priority: 0,
  minConfidence: 'low',
  ...over,
});

const ana: Profile = { firstName: 'Ana', industry: 'Retail', consent: { location: true, marketing: true } };

const decide = (over: Partial<OfferDecisionInput<OfferCampaign, MatchedFence>> = {}) =>
  selectOffers({
    campaigns: [campaign('cmp_1')],
    fences: [fence('gf_1', 'medium')],
    profile: ana,
    shopperId: 'shp_1',
    location: { ...POINT, accuracyM: 20 },
    now: NOW,
    at: NOW,
    storeNames: new Map([['st_sol', 'Sol']]),
    maxOffers: 10,
    ...over,
  });

const only = (over: Partial<OfferDecisionInput<OfferCampaign, MatchedFence>> = {}) => {
  const decisions = decide(over);
  expect(decisions).toHaveLength(1);
  return decisions[0]!;
};
const summary = (ds: CampaignDecision[]) => ds.map((d) => [d.campaign.id, d.decision, d.reasons.map((r) => r.code)]);

// holdoutBucket('cmp_1', 'shp_1') is 1335: a holdout of 14 % holds this shopper out, 13 % does not.
describe('selectOffers', () => {
  it('offers a campaign that passes every check, with no reasons and the personalised offer', () => {
    expect(only()).toEqual({
      decision: 'offer',
      campaign: campaign('cmp_1'),
      reasons: [],
      match: fence('gf_1', 'medium'),
      offer: {
        title: 'Ana, 10% off at Sol',
        body: 'Only 111 m away.',
        code: 'TEN',
        geofenceId: 'gf_1',
        storeId: 'st_sol',
        partnerId: null,
        confidence: 'medium',
      },
    });
  });

  it("renders the partner's name and leaves out names it was not given", () => {
    const d = only({
      campaigns: [
        campaign('cmp_1', {
          partnerId: 'pt_1',
          offer: { title: 'From {{partnerName}}', body: 'Hello {{firstName}}! Near {{storeName}}.' },
        }),
      ],
      profile: { consent: { location: true, marketing: true } },
      storeNames: undefined,
      partnerNames: new Map([['pt_1', 'Café Luna']]),
    });
    expect(d.decision === 'offer' && d.offer).toEqual({
      title: 'From Café Luna',
      body: 'Hello! Near.',
      code: null,
      geofenceId: 'gf_1',
      storeId: 'st_sol',
      partnerId: 'pt_1',
      confidence: 'medium',
    });
  });

  describe('reasons', () => {
    it('gives no_consent to a shopper without both consents', () => {
      const d = only({ profile: { firstName: 'Ana', consent: { location: true, marketing: false } } });
      expect(d.decision).toBe('not_eligible');
      expect(d.reasons).toEqual([
        { code: 'no_consent', message: 'The shopper has not given both location and marketing consent.' },
      ]);
    });

    it('makes every campaign not_eligible without consent, held-out and offerable ones alike', () => {
      const ds = decide({
        campaigns: [campaign('cmp_1', { holdoutPercent: 14 }), campaign('cmp_2'), campaign('cmp_3', { status: 'draft' })],
        profile: { consent: { location: false, marketing: false } },
      });
      expect(summary(ds)).toEqual([
        ['cmp_1', 'not_eligible', ['no_consent', 'held_out']],
        ['cmp_2', 'not_eligible', ['no_consent']],
        ['cmp_3', 'not_eligible', ['no_consent', 'campaign_not_active']],
      ]);
      expect(ds.some((d) => 'offer' in d)).toBe(false);
    });

    it('gives accuracy_too_low, instead of the fence check, to a location less precise than 1000 m', () => {
      const d = only({ location: { ...POINT, accuracyM: 1001 } });
      expect(d).toEqual({
        decision: 'not_eligible',
        campaign: campaign('cmp_1'),
        reasons: [
          {
            code: 'accuracy_too_low',
            message: 'The location is too vague to match a geofence (accuracy 1001 m, at most 1000 m).',
            detail: { accuracyM: 1001, maxAccuracyM: 1000 },
          },
        ],
      });
    });

    it('accepts an accuracy of exactly 1000 m', () => {
      expect(only({ location: { ...POINT, accuracyM: 1000 } }).decision).toBe('offer');
    });

    it('gives not_in_geofence to a campaign on none of the matched fences', () => {
      const d = only({ campaigns: [campaign('cmp_1', { geofenceIds: ['gf_elsewhere'] })] });
      expect(d).toEqual({
        decision: 'not_eligible',
        campaign: campaign('cmp_1', { geofenceIds: ['gf_elsewhere'] }),
        reasons: [{ code: 'not_in_geofence', message: "The location matches none of the campaign's geofences." }],
      });
    });

    it('gives confidence_below_minimum when the best match is weaker than the campaign needs', () => {
      const d = only({ campaigns: [campaign('cmp_1', { minConfidence: 'high' })] });
      expect(d.decision).toBe('not_eligible');
      expect(d.match).toEqual(fence('gf_1', 'medium'));
      expect(d.reasons).toEqual([
        {
          code: 'confidence_below_minimum',
          message: 'The best match has confidence medium; the campaign needs at least high.',
          detail: { confidence: 'medium', minConfidence: 'high', geofenceId: 'gf_1' },
        },
      ]);
    });

    it('gives campaign_not_active to a draft or paused campaign', () => {
      const ds = decide({ campaigns: [campaign('cmp_1', { status: 'paused' }), campaign('cmp_2', { status: 'draft' })] });
      expect(ds.map((d) => d.reasons)).toEqual([
        [{ code: 'campaign_not_active', message: 'The campaign is paused, not active.', detail: { status: 'paused' } }],
        [{ code: 'campaign_not_active', message: 'The campaign is draft, not active.', detail: { status: 'draft' } }],
      ]);
    });

    it('gives outside_schedule when the schedule does not allow the instant `at`', () => {
      const schedule = { timezone: 'Europe/Madrid', hours: { from: '09:00', to: '10:00' } };
      const d = only({ campaigns: [campaign('cmp_1', { schedule })] });
      expect(d.reasons).toEqual([
        {
          code: 'outside_schedule',
          message: "The campaign's schedule does not allow offers at this time.",
          detail: { at: '2025-03-12T10:00:00.000Z' },
        },
      ]);
      // 09:30 in Madrid: the schedule is read at `at`, not at `now`.
      expect(only({ campaigns: [campaign('cmp_1', { schedule })], at: new Date('2025-03-12T08:30:00Z') }).decision).toBe('offer');
    });

    it('gives audience_not_matched naming the first rule that fails', () => {
      const audience = {
        match: 'all' as const,
        rules: [
          { attribute: 'firstName', op: 'exists' as const, value: true },
          { attribute: 'industry', op: 'eq' as const, value: 'Hospitality' },
          { attribute: 'companySize', op: 'gte' as const, value: 50 },
        ],
      };
      const d = only({ campaigns: [campaign('cmp_1', { audience })] });
      expect(d.decision).toBe('not_eligible');
      expect(d.reasons).toEqual([
        {
          code: 'audience_not_matched',
          message: 'The shopper is not in the audience: rule 1 (industry eq) does not hold.',
          detail: { ruleIndex: 1, attribute: 'industry', op: 'eq' },
        },
      ]);
    });

    it('names the first rule of an "any" audience when none holds', () => {
      const audience = {
        match: 'any' as const,
        rules: [
          { attribute: 'attributes.homeCity', op: 'eq' as const, value: 'Madrid' },
          { attribute: 'industry', op: 'in' as const, value: ['Hospitality', 'Tourism'] },
        ],
      };
      const d = only({ campaigns: [campaign('cmp_1', { audience })] });
      expect(d.reasons.map((r) => r.detail)).toEqual([{ ruleIndex: 0, attribute: 'attributes.homeCity', op: 'eq' }]);
      expect(
        only({
          campaigns: [
            campaign('cmp_1', {
              audience: {
                ...audience,
                rules: [...audience.rules, { attribute: 'industry', op: 'eq' as const, value: 'retail' }],
              },
            }),
          ],
        }).decision,
      ).toBe('offer');
    });

    it('gives trigger_not_met to an enter, dwell or exit campaign whose event did not happen', () => {
      const ds = decide({
        campaigns: [
          campaign('cmp_1', { trigger: 'enter' }),
          campaign('cmp_2', { trigger: 'dwell' }),
          campaign('cmp_3', { trigger: 'exit' }),
        ],
        triggered: new Map([['cmp_2', [fence('gf_1', 'medium')]]]),
      });
      expect(ds.map((d) => [d.campaign.id, d.decision, d.reasons])).toEqual([
        [
          'cmp_1',
          'not_eligible',
          [
            {
              code: 'trigger_not_met',
              message: 'The campaign fires on enter, which this location did not produce.',
              detail: { trigger: 'enter' },
            },
          ],
        ],
        ['cmp_2', 'offer', []],
        [
          'cmp_3',
          'not_eligible',
          [
            {
              code: 'trigger_not_met',
              message: 'The campaign fires on exit, which this location did not produce.',
              detail: { trigger: 'exit' },
            },
          ],
        ],
      ]);
    });

    it('offers an exit campaign at its exited fence, which the location no longer matches, and an inside one only where it matches', () => {
      const exited = fence('gf_9', 'high');
      const ds = decide({
        campaigns: [
          campaign('cmp_exit', { trigger: 'exit', geofenceIds: ['gf_9'] }),
          campaign('cmp_in', { trigger: 'inside', geofenceIds: ['gf_9'] }),
        ],
        triggered: new Map([['cmp_exit', [exited]]]),
      });
      expect(ds.map((d) => [d.campaign.id, d.decision, d.match?.fence.id ?? null])).toEqual([
        ['cmp_exit', 'offer', 'gf_9'],
        ['cmp_in', 'not_eligible', null],
      ]);
    });

    it('meets the trigger of a campaign without one, or with inside, on every location inside', () => {
      const ds = decide({ campaigns: [campaign('cmp_1'), campaign('cmp_2', { trigger: 'inside' })] });
      expect(summary(ds)).toEqual([
        ['cmp_1', 'offer', []],
        ['cmp_2', 'offer', []],
      ]);
    });

    it('gives frequency_capped when the shopper used every slot of the cap within its window', () => {
      const frequencyCap = { maxOffers: 2, perHours: 24 };
      const caps = new Map([['cmp_1', { slots: { of_a: NOW.getTime() - 23 * HOUR, of_b: NOW.getTime() - HOUR } }]]);
      const d = only({ campaigns: [campaign('cmp_1', { frequencyCap })], caps });
      expect(d.decision).toBe('not_eligible');
      expect(d.reasons).toEqual([
        {
          code: 'frequency_capped',
          message: 'The shopper has already had 2 offer(s) of this campaign in the last 24 h.',
          detail: { maxOffers: 2, perHours: 24 },
        },
      ]);
      // One slot left the window: the cap has room again.
      const later = new Map([['cmp_1', { slots: { of_a: NOW.getTime() - 24 * HOUR, of_b: NOW.getTime() - HOUR } }]]);
      expect(only({ campaigns: [campaign('cmp_1', { frequencyCap })], caps: later }).decision).toBe('offer');
      // No cap item: no slot used.
      expect(only({ campaigns: [campaign('cmp_1', { frequencyCap })] }).decision).toBe('offer');
    });

    it('gives budget_exhausted when the known budget is spent, and treats an unknown budget as available', () => {
      const budget = { maxOffers: 5 };
      const d = only({ campaigns: [campaign('cmp_1', { budget })], budgets: new Map([['cmp_1', { used: 5 }]]) });
      expect(d.decision).toBe('not_eligible');
      expect(d.reasons).toEqual([
        { code: 'budget_exhausted', message: 'The campaign has issued its budget of 5 offers.', detail: { maxOffers: 5 } },
      ]);
      expect(only({ campaigns: [campaign('cmp_1', { budget })], budgets: new Map([['cmp_1', { used: 4 }]]) }).decision).toBe(
        'offer',
      );
      expect(only({ campaigns: [campaign('cmp_1', { budget })] }).decision).toBe('offer');
      expect(only({ campaigns: [campaign('cmp_1')], budgets: new Map([['cmp_1', { used: 1_000 }]]) }).decision).toBe('offer');
    });

    it('gives held_out to a shopper in the control group, with the match the record is kept for', () => {
      const d = only({ campaigns: [campaign('cmp_1', { holdoutPercent: 14 })] });
      expect(d).toEqual({
        decision: 'held_out',
        campaign: campaign('cmp_1', { holdoutPercent: 14 }),
        reasons: [
          {
            code: 'held_out',
            message: "The shopper is in the campaign's control group (14 %): recorded, not offered.",
            detail: { holdoutPercent: 14 },
          },
        ],
        match: fence('gf_1', 'medium'),
      });
      expect(only({ campaigns: [campaign('cmp_1', { holdoutPercent: 13 })] }).decision).toBe('offer');
    });

    it('keeps a held-out shopper held out when the budget is spent (a held-out record spends none)', () => {
      const d = only({
        campaigns: [campaign('cmp_1', { holdoutPercent: 14, budget: { maxOffers: 1 } })],
        budgets: new Map([['cmp_1', { used: 1 }]]),
      });
      expect(summary([d])).toEqual([['cmp_1', 'held_out', ['held_out']]]);
    });

    it('does not record a held-out shopper whose frequency cap is full', () => {
      const frequencyCap = { maxOffers: 1, perHours: 1 };
      const caps = new Map([['cmp_1', { slots: { h_1: NOW.getTime() - 1_000 } }]]);
      const d = only({ campaigns: [campaign('cmp_1', { holdoutPercent: 14, frequencyCap })], caps });
      expect(summary([d])).toEqual([['cmp_1', 'not_eligible', ['frequency_capped', 'held_out']]]);
    });

    it('gives offer_limit_reached to eligible campaigns after the first maxOffers', () => {
      const ds = decide({ campaigns: [campaign('cmp_1'), campaign('cmp_2'), campaign('cmp_3')], maxOffers: 2 });
      expect(ds.map((d) => [d.campaign.id, d.decision, d.reasons])).toEqual([
        ['cmp_1', 'offer', []],
        ['cmp_2', 'offer', []],
        [
          'cmp_3',
          'not_eligible',
          [
            {
              code: 'offer_limit_reached',
              message: 'Campaigns of higher priority fill the 2 offers one request makes.',
              detail: { maxOffers: 2 },
            },
          ],
        ],
      ]);
    });
  });

  it('lists every failed check together, in the order of the reason codes', () => {
    const d = only({
      campaigns: [
        campaign('cmp_1', {
          status: 'paused',
          minConfidence: 'high',
          trigger: 'enter',
          holdoutPercent: 14,
          schedule: { timezone: 'UTC', startsAt: '2025-04-01T00:00:00Z' },
          audience: { match: 'all', rules: [{ attribute: 'industry', op: 'eq', value: 'Tourism' }] },
          frequencyCap: { maxOffers: 1, perHours: 24 },
        }),
      ],
      fences: [fence('gf_1', 'low')],
      profile: { ...ana, consent: { location: true, marketing: false } },
      caps: new Map([['cmp_1', { slots: { of_a: NOW.getTime() - HOUR } }]]),
    });
    expect(d.decision).toBe('not_eligible');
    expect(d.reasons.map((r) => r.code)).toEqual([
      'no_consent',
      'confidence_below_minimum',
      'campaign_not_active',
      'outside_schedule',
      'audience_not_matched',
      'trigger_not_met',
      'frequency_capped',
      'held_out',
    ]);
  });

  it('lists budget_exhausted and the offer limit with other failures of a shopper not held out', () => {
    const ds = decide({
      campaigns: [
        campaign('cmp_1'),
        campaign('cmp_2', { budget: { maxOffers: 3 }, frequencyCap: { maxOffers: 1, perHours: 1 } }),
      ],
      budgets: new Map([['cmp_2', { used: 3 }]]),
      caps: new Map([['cmp_2', { slots: { of_x: NOW.getTime() } }]]),
      maxOffers: 1,
    });
    expect(summary(ds)).toEqual([
      ['cmp_1', 'offer', []],
      ['cmp_2', 'not_eligible', ['frequency_capped', 'budget_exhausted', 'offer_limit_reached']],
    ]);
  });

  describe('priority and the offer limit', () => {
    it('orders every decision by priority, highest first, then by campaign id', () => {
      const ds = decide({
        campaigns: [
          campaign('cmp_b', { priority: 5 }),
          campaign('cmp_low', { priority: -2 }),
          campaign('cmp_none', { priority: undefined }),
          campaign('cmp_a', { priority: 5 }),
          campaign('cmp_top', { priority: 9, status: 'paused' }),
        ],
      });
      expect(ds.map((d) => d.campaign.id)).toEqual(['cmp_top', 'cmp_a', 'cmp_b', 'cmp_none', 'cmp_low']);
    });

    it('fills the offer limit in priority order; not eligible and held-out campaigns take no place, capped ones do', () => {
      const ds = decide({
        campaigns: [
          campaign('cmp_1', { priority: 10, holdoutPercent: 14 }),
          campaign('cmp_paused', { priority: 9, status: 'paused' }),
          campaign('cmp_capped', { priority: 8, frequencyCap: { maxOffers: 1, perHours: 24 } }),
          campaign('cmp_c', { priority: 7 }),
          campaign('cmp_d', { priority: 6 }),
          campaign('cmp_e', { priority: 6 }),
        ],
        caps: new Map([['cmp_capped', { slots: { of_a: NOW.getTime() - HOUR } }]]),
        maxOffers: 2,
      });
      expect(summary(ds)).toEqual([
        ['cmp_1', 'held_out', ['held_out']],
        ['cmp_paused', 'not_eligible', ['campaign_not_active']],
        ['cmp_capped', 'not_eligible', ['frequency_capped']],
        ['cmp_c', 'offer', []],
        ['cmp_d', 'not_eligible', ['offer_limit_reached']],
        ['cmp_e', 'not_eligible', ['offer_limit_reached']],
      ]);
    });

    it('offers only what a decision without cap items offers: cap items can only take offers away', () => {
      const campaigns = Array.from({ length: 14 }, (_, i) =>
        campaign(`cmp_${i}`, {
          priority: i % 3,
          holdoutPercent: 20,
          frequencyCap: i % 2 ? { maxOffers: 1, perHours: 2 } : undefined,
        }),
      );
      const caps = new Map(campaigns.map((c) => [c.id, { slots: { s: NOW.getTime() - HOUR } }]));
      const before = decide({ campaigns });
      const after = decide({ campaigns, caps });
      const kept = (ds: CampaignDecision[]) => ds.filter((d) => d.decision !== 'not_eligible').map((d) => d.campaign.id);
      expect(kept(after).every((id) => kept(before).includes(id))).toBe(true);
      expect(kept(after).length).toBeLessThan(kept(before).length);
      expect(after.filter((d) => d.decision === 'offer').length).toBeLessThanOrEqual(10);
    });
  });

  describe('in steps, as the hot path runs it', () => {
    const campaigns = Array.from({ length: 14 }, (_, i) =>
      campaign(`cmp_${i}`, {
        priority: i % 3,
        holdoutPercent: 20,
        frequencyCap: i % 2 ? { maxOffers: 1, perHours: 2 } : undefined,
      }),
    );
    const caps = new Map(campaigns.filter((_, i) => i % 4 === 1).map((c) => [c.id, { slots: { s: NOW.getTime() - HOUR } }]));
    const input: OfferDecisionInput<OfferCampaign, MatchedFence> = {
      campaigns,
      fences: [fence('gf_1', 'medium')],
      profile: ana,
      shopperId: 'shp_1',
      location: { ...POINT, accuracyM: 20 },
      now: NOW,
      at: NOW,
      storeNames: new Map([['st_sol', 'Sol']]),
      caps,
      maxOffers: 10,
    };

    it('plans, applies the cap items and renders to exactly what selectOffers decides', () => {
      const stepwise = renderOffers(applyCaps(planOffers({ ...input, caps: undefined }), caps, NOW), input);
      expect(stepwise).toEqual(selectOffers(input));
      expect(summary(stepwise).some(([, d, r]) => d === 'not_eligible' && (r as string[]).includes('frequency_capped'))).toBe(
        true,
      );
    });

    it('does not read cap items while planning, and renders nothing before the last step', () => {
      const planned = planOffers(input);
      expect(planned.some((d) => d.reasons.some((r) => r.code === 'frequency_capped'))).toBe(false);
      expect(planned.some((d) => 'offer' in d)).toBe(false);
    });

    it('turns a held-out shopper whose cap is full into not_eligible with both reasons', () => {
      const held = campaign('cmp_1', { holdoutPercent: 14, frequencyCap: { maxOffers: 1, perHours: 24 } });
      const planned = planOffers({ ...input, campaigns: [held] });
      expect(summary(planned as CampaignDecision[])).toEqual([['cmp_1', 'held_out', ['held_out']]]);
      const capped = applyCaps(planned, new Map([['cmp_1', { slots: { s: NOW.getTime() - HOUR } }]]), NOW);
      expect(summary(capped as CampaignDecision[])).toEqual([['cmp_1', 'not_eligible', ['frequency_capped', 'held_out']]]);
    });
  });

  describe('holdout', () => {
    it('holds out the same shoppers on every decision, by campaign and shopper', () => {
      const shoppers = Array.from({ length: 200 }, (_, i) => `shp_${i}`);
      const sides = (at: Date) =>
        shoppers.map(
          (shopperId) => decide({ shopperId, now: at, at, campaigns: [campaign('cmp_1', { holdoutPercent: 20 })] })[0]!.decision,
        );
      const first = sides(NOW);
      expect(sides(new Date(NOW.getTime() + 48 * HOUR))).toEqual(first);
      expect(first).toEqual(shoppers.map((s) => (holdoutBucket('cmp_1', s) < 2_000 ? 'held_out' : 'offer')));
      expect(first.filter((d) => d === 'held_out').length).toBeGreaterThan(0);
      expect(first.filter((d) => d === 'offer').length).toBeGreaterThan(0);
    });
  });

  describe('fence choice', () => {
    it("uses the campaign's best-confidence matched fence, the first listed among equals", () => {
      const fences = [
        fence('gf_a', 'low', 'st_a'),
        fence('gf_b', 'high', 'st_b'),
        fence('gf_c', 'high', 'st_c'),
        fence('gf_d', 'high', 'st_d'),
      ];
      const d = only({
        campaigns: [campaign('cmp_1', { geofenceIds: ['gf_a', 'gf_x', 'gf_c', 'gf_b'], minConfidence: 'high' })],
        fences,
        storeNames: new Map([['st_c', 'Centro']]),
      });
      expect(d.decision).toBe('offer');
      expect(d.match).toEqual(fence('gf_c', 'high', 'st_c'));
      expect(d.decision === 'offer' && d.offer).toMatchObject({
        title: 'Ana, 10% off at Centro',
        geofenceId: 'gf_c',
        storeId: 'st_c',
        confidence: 'high',
      });
    });
  });
});

describe('refuseAfterWrite', () => {
  const ds = decide({
    campaigns: [
      campaign('cmp_1', { holdoutPercent: 14, frequencyCap: { maxOffers: 1, perHours: 4 } }),
      campaign('cmp_2', { budget: { maxOffers: 10 }, frequencyCap: { maxOffers: 3, perHours: 12 } }),
      campaign('cmp_3', { status: 'paused' }),
    ],
  });
  const [heldOut, offered, paused] = ['cmp_1', 'cmp_2', 'cmp_3'].map((id) => ds.find((d) => d.campaign.id === id));

  it('turns an offer whose cap slot was taken meanwhile into frequency_capped', () => {
    expect(offered!.decision).toBe('offer');
    expect(refuseAfterWrite(offered!, 'frequency_capped')).toEqual({
      decision: 'not_eligible',
      campaign: offered!.campaign,
      match: offered!.match,
      reasons: [
        {
          code: 'frequency_capped',
          message: 'The frequency cap filled before this offer could take its slot.',
          detail: { maxOffers: 3, perHours: 12 },
        },
      ],
    });
  });

  it('turns an offer whose budget ADD was refused into budget_exhausted', () => {
    expect(refuseAfterWrite(offered!, 'budget_exhausted')).toEqual({
      decision: 'not_eligible',
      campaign: offered!.campaign,
      match: offered!.match,
      reasons: [
        { code: 'budget_exhausted', message: 'The budget ran out before this offer could spend it.', detail: { maxOffers: 10 } },
      ],
    });
  });

  it('keeps the held_out reason of a held-out record whose cap slot was taken, after frequency_capped', () => {
    expect(heldOut!.decision).toBe('held_out');
    const d = refuseAfterWrite(heldOut!, 'frequency_capped');
    expect(summary([d])).toEqual([['cmp_1', 'not_eligible', ['frequency_capped', 'held_out']]]);
    expect(d.match).toEqual(fence('gf_1', 'medium'));
  });

  it('leaves a campaign that was not eligible as it was', () => {
    expect(paused!.decision).toBe('not_eligible');
    expect(refuseAfterWrite(paused!, 'budget_exhausted')).toBe(paused);
  });
});
