import * as z from 'zod';
import { route } from '../route.js';

const nullableCount = z.number().int().nullable();

export const CampaignStatsSchema = z.object({
  eligible: z.number().int(),
  offered: z.number().int(),
  heldOut: z.number().int(),
  delivered: z.number().int(),
  deliveryFailed: z.number().int(),
  redeemed: z.number().int(),
  conversions: z
    .object({ treatment: z.number().int(), holdout: z.number().int() })
    .describe('Distinct shoppers who bought within 7 days of being offered (treatment) or held out (holdout).'),
  conversionRate: z.object({ treatment: z.number().nullable(), holdout: z.number().nullable() }),
  lift: z.number().nullable().describe('(treatment rate - holdout rate) / holdout rate; null when undefined.'),
  purchases: z
    .object({ treatment: z.number().int(), holdout: z.number().int() })
    .describe('Purchases recorded per arm (a shopper may buy more than once).'),
  revenue: z.object({ treatment: z.number(), holdout: z.number() }).describe('Sum of the purchase amounts per arm.'),
  shoppers: z
    .object({ treatment: z.number().int(), holdout: z.number().int() })
    .describe('Distinct shoppers per arm: offered (treatment) or held out (holdout).'),
  budget: z.object({ maxOffers: z.number().int(), used: z.number().int(), remaining: z.number().int() }).nullable(),
  byDay: z.array(z.object({ date: z.string(), offered: nullableCount, redeemed: nullableCount, suppressed: z.boolean() })),
  byGeofence: z.array(
    z.object({ geofenceId: z.string(), offered: nullableCount, redeemed: nullableCount, suppressed: z.boolean() }),
  ),
});

export const statsRoutes = [
  route({
    id: 'campaignStats',
    method: 'GET',
    path: '/v1/campaigns/{id}/stats',
    fn: 'stats',
    auth: 'stats:read',
    summary: 'Campaign results: offers, redemptions, conversions and lift',
    tags: ['campaigns', 'stats'],
    response: CampaignStatsSchema,
  }),
] as const;
