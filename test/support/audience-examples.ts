import type { Audience } from '../../shared/domain/targeting/index.js';

/** One worked audience per micromarketing kind, shared by the README and the tests. */
export interface AudienceExample {
  kind: string;
  description: string;
  audience: Audience;
}

/**
 * The nine micromarketing kinds expressed as audiences. Each is valid as the
 * `audience` of `POST /v1/campaigns`; the campaign's geofences decide where
 * it fires, the audience decides for whom.
 */
export const AUDIENCE_EXAMPLES: readonly AudienceExample[] = [
  {
    kind: 'location',
    description:
      'Where the shopper is right now is decided by the campaign geofences (a store, a street, a district). ' +
      'The audience adds where the shopper lives, so people from the neighbourhood get a "your local store" offer ' +
      'while visitors passing through do not.',
    audience: {
      match: 'all',
      rules: [{ attribute: 'attributes.homeNeighbourhood', op: 'in', value: ['Gràcia', 'Eixample'] }],
    },
  },
  {
    kind: 'relationship',
    description: 'A welcome offer for people who have not bought yet: prospects and shoppers referred by a friend.',
    audience: {
      match: 'all',
      rules: [{ attribute: 'relationship', op: 'in', value: ['prospect', 'referred'] }],
    },
  },
  {
    kind: 'job title',
    description: 'Office supplies for the people who order them for their team.',
    audience: {
      match: 'all',
      rules: [{ attribute: 'jobTitle', op: 'in', value: ['Office Manager', 'Facilities Manager', 'Office Administrator'] }],
    },
  },
  {
    kind: 'industry',
    description: 'Bulk coffee and tableware for restaurants, cafés and hotels near a cash-and-carry store.',
    audience: {
      match: 'all',
      rules: [{ attribute: 'industry', op: 'in', value: ['Hospitality', 'Restaurants', 'Hotels'] }],
    },
  },
  {
    kind: 'company size',
    description: 'A business-account offer for small and medium companies (10 to 249 employees, both included).',
    audience: {
      match: 'all',
      rules: [{ attribute: 'companySize', op: 'between', value: [10, 249] }],
    },
  },
  {
    kind: 'customer needs',
    description: 'The new gluten-free and vegan range, shown to shoppers who said they need either.',
    audience: {
      match: 'all',
      rules: [{ attribute: 'needs', op: 'containsAny', value: ['gluten-free', 'vegan'] }],
    },
  },
  {
    kind: 'brand loyalty',
    description: 'Early access for the most loyal shoppers: gold or platinum members, or anyone with 5,000 points or more.',
    audience: {
      match: 'any',
      rules: [
        { attribute: 'loyaltyTier', op: 'in', value: ['gold', 'platinum'] },
        { attribute: 'loyaltyPoints', op: 'gte', value: 5000 },
      ],
    },
  },
  {
    kind: 'win-back',
    description: 'A "we miss you" offer for lapsed customers: marked as lapsed, or no purchase in the last 90 days.',
    audience: {
      match: 'any',
      rules: [
        { attribute: 'relationship', op: 'eq', value: 'lapsed' },
        { attribute: 'lastPurchaseAt', op: 'olderThanDays', value: 90 },
      ],
    },
  },
  {
    kind: 'price sensitivity',
    description: 'A discount coupon only for shoppers who buy on price; everyone else keeps paying full price.',
    audience: {
      match: 'all',
      rules: [{ attribute: 'priceSensitivity', op: 'eq', value: 'high' }],
    },
  },
];
