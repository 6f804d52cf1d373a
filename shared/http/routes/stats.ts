import * as z from 'zod';
import { IsoDateSchema } from '../../domain/values/time.js';
import { route } from '../route.js';

/** Most days one footfall report spans. */
export const FOOTFALL_MAX_DAYS = 92;

export const FootfallQuerySchema = z
  .object({
    from: IsoDateSchema.describe('First local date (YYYY-MM-DD), inclusive. Default: 29 days before `to`.').optional(),
    to: IsoDateSchema.describe('Last local date (YYYY-MM-DD), inclusive. Default: today (UTC).').optional(),
  })
  .strict();

export const FootfallSchema = z.object({
  byDay: z
    .array(
      z.object({
        date: z.string(),
        visits: nullableCountOf('Visits that began that day.'),
        visitors: nullableCountOf('Distinct shoppers who visited that day.'),
        medianDwellMinutes: z.number().int().nullable().describe('Median stay of the visits of that day that have ended.'),
        suppressed: z.boolean(),
      }),
    )
    .describe("Days with visits, in the store's time zone (UTC for a fence without store); fewer than 10 visitors: suppressed."),
  byHourOfWeek: z
    .array(
      z.object({
        dayOfWeek: z.number().int().min(1).max(7).describe('ISO weekday, 1 = Monday.'),
        hour: z.number().int().min(0).max(23),
        visits: nullableCountOf('Visits that began in that hour, over the period.'),
        suppressed: z.boolean(),
      }),
    )
    .describe('Visits by weekday and hour; a row not shown to be behind at least 10 distinct shoppers is suppressed.'),
});

function nullableCountOf(text: string) {
  return z.number().int().nullable().describe(text);
}

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
  route({
    id: 'geofenceVisits',
    method: 'GET',
    path: '/v1/geofences/{id}/visits',
    fn: 'stats',
    auth: 'stats:read',
    summary: 'Footfall of a geofence: visits, distinct visitors and median dwell per day, visits per hour of week',
    description:
      `From anonymous records of each visit (no shopper ids), in the store's time zone, at most ${FOOTFALL_MAX_DAYS} days per request; ` +
      'rows behind fewer than 10 distinct shoppers are suppressed as in campaign stats.',
    tags: ['geofences', 'stats'],
    query: FootfallQuerySchema,
    response: FootfallSchema,
  }),
] as const;
