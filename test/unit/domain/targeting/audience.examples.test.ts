import { describe, expect, it } from 'vitest';
import { evaluateAudience, type ProfileFields } from '../../../../shared/domain/targeting/index.js';
import { AUDIENCE_EXAMPLES, type AudienceExample } from '../../../support/audience-examples.js';

const NOW = new Date('2026-05-15T10:00:00Z');
const DAY = 86_400_000;
const daysAgo = (n: number) => new Date(NOW.getTime() - n * DAY).toISOString();

function example(kind: string): AudienceExample {
  const found = AUDIENCE_EXAMPLES.find((e) => e.kind === kind);
  if (!found) throw new Error(`no example for ${kind}`);
  return found;
}

/** Splits a population into the shoppers an example's audience selects and those it leaves out. */
function split(kind: string, population: Record<string, ProfileFields>) {
  const { audience } = example(kind);
  const selected: string[] = [];
  const excluded: string[] = [];
  for (const [id, profile] of Object.entries(population)) {
    (evaluateAudience(audience, profile, NOW) ? selected : excluded).push(id);
  }
  return { selected, excluded };
}

describe('micromarketing audience examples', () => {
  it('cover the nine micromarketing kinds, once each, with a description', () => {
    expect(AUDIENCE_EXAMPLES.map((e) => e.kind)).toEqual([
      'location',
      'relationship',
      'job title',
      'industry',
      'company size',
      'customer needs',
      'brand loyalty',
      'win-back',
      'price sensitivity',
    ]);
    for (const e of AUDIENCE_EXAMPLES) expect(e.description.length).toBeGreaterThan(20);
  });

  it('location: selects residents of the store neighbourhoods and leaves out visitors', () => {
    expect(
      split('location', {
        ana: { attributes: { homeNeighbourhood: 'Gràcia' } },
        bru: { attributes: { homeNeighbourhood: 'eixample' } },
        cai: { attributes: { homeNeighbourhood: '  Gràcia ' } },
        dan: { attributes: { homeNeighbourhood: 'Sants' } },
        eva: {},
        fer: { attributes: { homeNeighbourhood: 7 } },
        gil: { attributes: { homeCity: 'Gràcia' } },
      }),
    ).toEqual({ selected: ['ana', 'bru', 'cai'], excluded: ['dan', 'eva', 'fer', 'gil'] });
  });

  it('relationship: selects prospects and referred shoppers, not customers or lapsed ones', () => {
    expect(
      split('relationship', {
        pia: { relationship: 'prospect' },
        rex: { relationship: 'referred' },
        cam: { relationship: 'customer' },
        lia: { relationship: 'lapsed' },
        unk: {},
      }),
    ).toEqual({ selected: ['pia', 'rex'], excluded: ['cam', 'lia', 'unk'] });
  });

  it('job title: selects the people who order office supplies, whatever the capitalisation', () => {
    expect(
      split('job title', {
        om: { jobTitle: 'office manager' },
        fm: { jobTitle: 'Facilities Manager' },
        oa: { jobTitle: ' Office  Administrator ' },
        sm: { jobTitle: 'Store Manager' },
        as: { jobTitle: 'Office Assistant' },
        no: {},
      }),
    ).toEqual({ selected: ['om', 'fm', 'oa'], excluded: ['sm', 'as', 'no'] });
  });

  it('industry: selects hospitality businesses only, not industries that merely contain the word', () => {
    expect(
      split('industry', {
        bar: { industry: 'Hospitality' },
        inn: { industry: 'HOTELS' },
        caf: { industry: 'restaurants' },
        doc: { industry: 'Healthcare' },
        sw: { industry: 'Hospitality Software' },
        nil: {},
      }),
    ).toEqual({ selected: ['bar', 'inn', 'caf'], excluded: ['doc', 'sw', 'nil'] });
  });

  it('company size: selects companies of 10 to 249 employees, both bounds included', () => {
    expect(
      split('company size', {
        s10: { companySize: 10 },
        s50: { companySize: 50 },
        s249: { companySize: 249 },
        s9: { companySize: 9 },
        s250: { companySize: 250 },
        s0: { companySize: 0 },
        none: {},
      }),
    ).toEqual({ selected: ['s10', 's50', 's249'], excluded: ['s9', 's250', 's0', 'none'] });
  });

  it('customer needs: selects shoppers sharing at least one need with the new range', () => {
    expect(
      split('customer needs', {
        vegan: { needs: ['vegan'] },
        both: { needs: ['delivery', 'Gluten-Free'] },
        other: { needs: ['delivery', 'parking'] },
        empty: { needs: [] },
        none: {},
      }),
    ).toEqual({ selected: ['vegan', 'both'], excluded: ['other', 'empty', 'none'] });
  });

  it('brand loyalty: selects top-tier members or shoppers with 5,000 points or more', () => {
    expect(
      split('brand loyalty', {
        gold: { loyaltyTier: 'Gold', loyaltyPoints: 100 },
        plat: { loyaltyTier: 'platinum' },
        rich: { loyaltyTier: 'silver', loyaltyPoints: 5000 },
        near: { loyaltyTier: 'silver', loyaltyPoints: 4999 },
        none: {},
      }),
    ).toEqual({ selected: ['gold', 'plat', 'rich'], excluded: ['near', 'none'] });
  });

  it('win-back: selects lapsed customers and those without a purchase for more than 90 days', () => {
    expect(
      split('win-back', {
        marked: { relationship: 'lapsed', lastPurchaseAt: daysAgo(10) },
        quiet: { relationship: 'customer', lastPurchaseAt: daysAgo(120) },
        d91: { relationship: 'customer', lastPurchaseAt: daysAgo(91) },
        d90: { relationship: 'customer', lastPurchaseAt: daysAgo(90) },
        recent: { relationship: 'customer', lastPurchaseAt: daysAgo(30) },
        never: { relationship: 'prospect' },
      }),
    ).toEqual({ selected: ['marked', 'quiet', 'd91'], excluded: ['d90', 'recent', 'never'] });
  });

  it('price sensitivity: selects only shoppers who buy on price', () => {
    expect(
      split('price sensitivity', {
        high: { priceSensitivity: 'high' },
        medium: { priceSensitivity: 'medium' },
        low: { priceSensitivity: 'low' },
        none: {},
      }),
    ).toEqual({ selected: ['high'], excluded: ['medium', 'low', 'none'] });
  });
});
